import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate, serializeDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { KeepLast } from "@web/core/utils/concurrency";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { DayPlanCard } from "./day_plan_card";

const { DateTime } = luxon;

/** Changes of several calls at once (a PBX batch) reload the plan once. */
const BUS_RELOAD_DELAY_MS = 300;
/** Done Today folds calls shorter than this (wrong numbers, voicemail greetings) and calls with nobody known. */
const SHORT_CALL_SECONDS = 30;

/** The sections of the plan, in the order they are worked through. */
export const DAY_PLAN_SECTIONS = [
    {
        key: "overdue",
        title: _t("Past due"),
        subtitle: _t("Planned, start passed"),
        icon: "fa-exclamation-circle",
        color: "danger",
        empty: _t("Nothing overdue."),
    },
    {
        key: "today",
        title: _t("Today"),
        subtitle: _t("Still ahead today"),
        icon: "fa-sun-o",
        color: "primary",
        empty: _t("No more calls planned for today."),
    },
    {
        key: "upcoming",
        title: _t("Upcoming"),
        subtitle: _t("Planned after today"),
        icon: "fa-calendar",
        color: "info",
        empty: _t("Nothing planned after today."),
    },
    {
        key: "missed",
        title: _t("Missed"),
        subtitle: _t("Received and unanswered"),
        icon: "fa-phone-square",
        color: "warning",
        empty: _t("No missed calls."),
    },
    {
        key: "done_today",
        title: _t("Done Today"),
        subtitle: _t("Completed since midnight"),
        icon: "fa-check-circle",
        color: "success",
        empty: _t("No calls completed yet today."),
    },
];

/**
 * The Calls app's start screen: the current user's overdue, today's and
 * upcoming scheduled calls, the received calls nobody answered and the calls
 * done today, each as a card to open, call, complete, reschedule or cancel.
 * The control panel starts new calls: call now, log a past call, schedule one.
 */
export class DayPlan extends Component {
    static template = "call_logging.DayPlan";
    static components = { Layout, DayPlanCard };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.keepLast = new KeepLast();
        this.sections = DAY_PLAN_SECTIONS;
        // owner: "" for my own plan, "user:<id>" or "team:<id>" for a call manager looking at others'.
        this.state = useState({
            plan: null, liveCalls: [], busyCallId: false, showFolded: false, teams: [], owner: "",
        });
        this.display = { controlPanel: {} };

        onWillStart(async () => {
            const choices = await this.orm.call("crm.call", "get_day_plan_choices", []);
            this.state.teams = choices.teams;
            await this.load();
        });
        // Live from the bus: a call that rings, ends or moves updates the plan at once.
        const busService = useService("bus_service");
        const onChange = () => {
            clearTimeout(this.busTimer);
            this.busTimer = setTimeout(() => this.load(), BUS_RELOAD_DELAY_MS);
        };
        busService.subscribe("call_logging/day_plan_changed", onChange);
        busService.start();
        onWillUnmount(() => {
            busService.unsubscribe("call_logging/day_plan_changed", onChange);
            clearTimeout(this.busTimer);
            clearTimeout(this.overdueTimer);
        });
    }

    /** A call of today turns overdue when its start passes: reload then, not on a fixed beat. */
    scheduleOverdueReload(plan) {
        clearTimeout(this.overdueTimer);
        const starts = ((plan.today && plan.today.records) || []).map((call) => DateTime.fromSQL(call.start, { zone: "utc" }));
        const next = starts.filter((start) => start.isValid).sort((a, b) => a - b)[0];
        if (next) {
            const wait = Math.max(next.diffNow().milliseconds, 0) + 1000;
            this.overdueTimer = setTimeout(() => this.load(), Math.min(wait, 2 ** 31 - 1));
        }
    }

    /** The plan, and the user's calls still going on, which belong to no section. */
    async load() {
        const [plan, liveCalls] = await this.keepLast.add(
            Promise.all([
                this.orm.call("crm.call", "get_day_plan", [], this.ownerArgs()),
                this.orm.searchRead(
                    "crm.call",
                    [
                        ["user_id", "=", user.userId],
                        ["is_live", "=", true],
                    ],
                    ["name", "state", "partner_id", "lead_id", "phone"],
                    { order: "start desc" }
                ),
            ])
        );
        Object.assign(this.state, { plan, liveCalls });
        this.scheduleOverdueReload(plan);
    }

    /** get_day_plan's arguments for the plan chosen in the switcher. */
    ownerArgs() {
        const [kind, id] = this.state.owner.split(":");
        return kind ? { [`${kind}_id`]: Number(id) } : {};
    }

    onOwnerChange(ev) {
        this.state.owner = ev.target.value;
        return this.load();
    }

    teamLabel(team) {
        return _t("%s: whole team", team.name);
    }

    /** The users of the plan shown, for the domains of its full lists. */
    get ownerIds() {
        const [kind, id] = this.state.owner.split(":");
        if (kind === "team") {
            const team = this.state.teams.find((t) => t.id === Number(id));
            return team ? team.users.map((u) => u.id) : [];
        }
        return [kind === "user" ? Number(id) : user.userId];
    }

    section(key) {
        return this.state.plan[key];
    }

    /** The cards of a section: all of them, except in Done Today, where short and unknown calls fold away. */
    cards(key) {
        const records = this.section(key).records;
        if (key !== "done_today") {
            return { shown: records, folded: [] };
        }
        const isMinor = (call) =>
            (call.duration || 0) < SHORT_CALL_SECONDS || (!call.partner_id && !call.lead_id);
        return { shown: records.filter((call) => !isMinor(call)), folded: records.filter(isMinor) };
    }

    foldLabel(count) {
        return this.state.showFolded
            ? _t("Hide the short and unknown calls")
            : _t("%s short or unknown calls", count);
    }

    // ------------------------------------------------------------------
    // New calls (control panel)
    // ------------------------------------------------------------------

    /**
     * A new call's form: logged or scheduled in a dialog, after which the plan
     * reloads; a call made now asks whom first, then opens full screen with its
     * running timer.
     */
    onCallNow() {
        return this.action.doAction("call_logging.crm_call_start_action");
    }

    onLogCall() {
        return this.action.doAction("call_logging.crm_call_action_new_log", {
            additionalContext: { default_start: serializeDateTime(DateTime.now().startOf("minute")) },
            onClose: () => this.load(),
        });
    }

    onScheduleCall() {
        const inAnHour = DateTime.now().startOf("hour").plus({ hours: 1 });
        return this.action.doAction("call_logging.crm_call_action_new_schedule", {
            additionalContext: { default_start: serializeDateTime(inAnHour) },
            onClose: () => this.load(),
        });
    }

    // ------------------------------------------------------------------
    // Cards
    // ------------------------------------------------------------------

    openCall(call) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "crm.call",
            res_id: call.id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    /** A call activity of another app (no call behind it): open the record it is planned on. */
    openTask(task) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: task.res_model,
            res_id: task.res_id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    formatTaskDate(task) {
        return formatDate(deserializeDate(task.date_deadline));
    }

    /** The full list behind a section when it holds more calls than the plan shows. */
    openSection(section) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            name: section.title,
            res_model: "crm.call",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: this.sectionDomain(section.key),
            target: "current",
        });
    }

    sectionDomain(key) {
        const now = serializeDateTime(DateTime.now());
        const dayStart = serializeDateTime(DateTime.local().startOf("day"));
        const dayEnd = serializeDateTime(DateTime.local().startOf("day").plus({ days: 1 }));
        const owners = this.ownerIds;
        const mine = [["user_id", "in", owners]];
        const scheduled = [...mine, ["state", "=", "scheduled"]];
        return {
            overdue: [...scheduled, ["start", "<", now]],
            today: [...scheduled, ["start", ">=", now], ["start", "<", dayEnd]],
            upcoming: [...scheduled, ["start", ">=", dayEnd]],
            missed: [
                "|", ...mine, ["callback_activity_ids.user_id", "in", owners],
                ["state", "=", "missed"], ["direction", "=", "inbound"],
            ],
            done_today: [...mine, ["state", "=", "done"], ["start", ">=", dayStart], ["start", "<", dayEnd]],
        }[key];
    }

    onCardAction(call, method) {
        if (method === "action_cancel") {
            this.dialog.add(ConfirmationDialog, {
                title: _t("Cancel the call"),
                body: _t("Cancel the call “%s”? It stays in the customer's history as cancelled.", call.name),
                confirmLabel: _t("Cancel the call"),
                cancelLabel: _t("Keep it"),
                confirm: () => this.runCallMethod(call, method),
                cancel: () => {},
            });
            return;
        }
        return this.runCallMethod(call, method);
    }

    /**
     * Run a button method of crm.call on one card, as a form button would: the
     * action it returns is opened (the running call's form, the reschedule
     * dialog) and the plan reloads once it is done or its dialog is closed.
     */
    async runCallMethod(call, method) {
        this.state.busyCallId = call.id;
        try {
            await this.action.doActionButton({
                type: "object",
                name: method,
                resModel: "crm.call",
                resId: call.id,
                resIds: [call.id],
                context: {},
                onClose: () => this.load(),
            });
            if (method === "action_mark_done") {
                this.notification.add(_t("“%s” is marked as completed.", call.name), {
                    type: "success",
                });
            }
        } finally {
            this.state.busyCallId = false;
        }
    }
}

registry.category("actions").add("call_logging.day_plan", DayPlan);
