// The ring: two tones, one second on and two off, made by the browser itself (no sound file).
const TONES_HZ = [440, 480];
const ON_SECONDS = 1;
const PERIOD_MS = 3000;

/**
 * Plays the ring while a call rings in the browser. Under the browser's autoplay policy a page the user
 * has not touched yet may not play sound: ``start()`` then resolves to false and the ring is only seen.
 */
export class Ringtone {
    constructor() {
        this.context = null;
        this.timer = null;
        this.playing = false;
    }

    async start() {
        this.playing = true;
        try {
            this.context = this.context || new AudioContext();
            if (this.context.state !== "running") {
                await Promise.race([this.context.resume(), new Promise((resolve) => setTimeout(resolve, 300))]);
            }
        } catch {
            return false;
        }
        if (!this.playing || this.context.state !== "running") {
            return false;
        }
        this._ring();
        this.timer = setInterval(() => this._ring(), PERIOD_MS);
        return true;
    }

    _ring() {
        const now = this.context.currentTime;
        const gain = this.context.createGain();
        gain.gain.value = 0.1;
        gain.connect(this.context.destination);
        for (const frequency of TONES_HZ) {
            const oscillator = this.context.createOscillator();
            oscillator.frequency.value = frequency;
            oscillator.connect(gain);
            oscillator.start(now);
            oscillator.stop(now + ON_SECONDS);
        }
    }

    stop() {
        this.playing = false;
        clearInterval(this.timer);
        this.timer = null;
    }
}
