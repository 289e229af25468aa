/**
 * The tabs of one user in one browser: exactly one of them leads (it holds a Web Lock named after the
 * group, which the browser frees the moment that tab closes or crashes, and hands to the next tab
 * waiting for it), and all of them talk over a BroadcastChannel of the same name.
 *
 * ``onLead()`` runs once, when this tab becomes the leader; ``onMessage(message)`` for what the other
 * tabs send. Without Web Locks (an old browser) every tab leads by itself.
 */
export class TabGroup {
    constructor(name, { onLead, onMessage }) {
        this.channel = new BroadcastChannel(name);
        this.channel.addEventListener("message", (event) => onMessage(event.data));
        if (!navigator.locks) {
            onLead();
            return;
        }
        navigator.locks.request(name, () => {
            onLead();
            // Held until the tab goes away: the lock is the leadership.
            return new Promise(() => {});
        });
    }

    send(message) {
        this.channel.postMessage(message);
    }
}
