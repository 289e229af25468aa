import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { KeepLast } from "@web/core/utils/concurrency";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { Component, onWillStart, useState } from "@odoo/owl";
import { formatCallDuration } from "../fields/call_duration_field";

/** The ranges a manager looks back over. */
const RANGES = [
    { months: 1, label: _t("This month") },
    { months: 3, label: _t("Last 3 months") },
    { months: 6, label: _t("Last 6 months") },
    { months: 12, label: _t("Last 12 months") },
];

/** Seconds in the calls' one format (mm:ss, h:mm:ss from one hour on); a dash when there is no figure. */
export function formatSeconds(seconds) {
    if (seconds === null || seconds === undefined || seconds === false) {
        return "–";
    }
    return formatCallDuration(seconds);
}

/**
 * The Calls dashboard: average call duration per rep per month, calls per
 * day, the status breakdown and the distinct leads the pre-sales teams contacted
 * per week or month. Figures come from the call statistics tables through
 * crm.call.report.get_dashboard_data, so each user sees what their access allows.
 */
export class CallsDashboard extends Component {
    static template = "call_logging.CallsDashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.keepLast = new KeepLast();
        this.ranges = RANGES;
        this.formatSeconds = formatSeconds;
        this.state = useState({ months: 6, period: "month", teamId: false, userId: false, data: null });
        this.display = { controlPanel: {} };
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.keepLast.add(
            this.orm.call("crm.call.report", "get_dashboard_data", [], {
                months: this.state.months,
                period: this.state.period,
                team_id: this.state.teamId || null,
                user_id: this.state.userId || null,
            })
        );
    }

    setMonths(months) {
        this.state.months = months;
        return this.load();
    }

    setTeam(ev) {
        this.state.teamId = parseInt(ev.target.value) || false;
        return this.load();
    }

    setUser(ev) {
        this.state.userId = parseInt(ev.target.value) || false;
        return this.load();
    }

    setPeriod(period) {
        this.state.period = period;
        return this.load();
    }

    get maxPerDay() {
        return Math.max(1, ...this.state.data.per_day.map((day) => day.count));
    }

    /** The count axis, top to bottom: the busiest day, its half (when a whole number) and zero. */
    get yTicks() {
        const max = this.maxPerDay;
        return max % 2 === 0 && max > 2 ? [max, max / 2, 0] : [max, 0];
    }

    /** The time axis: the first, middle and last day of the range. */
    get xTicks() {
        const days = this.state.data.per_day;
        const picked = [days[0], days[Math.floor((days.length - 1) / 2)], days[days.length - 1]];
        return picked.filter((day, index) => picked.indexOf(day) === index);
    }

    dayTitle(day) {
        return _t("%(day)s: %(count)s calls", { day: day.label, count: day.count });
    }

    get totalByState() {
        return this.state.data.states.reduce((sum, state) => sum + state.count, 0) || 1;
    }

    percent(part, whole) {
        return Math.round((100 * part) / whole);
    }

    formatRate(rate) {
        return rate === null || rate === undefined ? "–" : `${Math.round(rate)} %`;
    }

    openStatistics() {
        return this.action.doAction("call_logging.crm_call_report_action");
    }

    openLeads() {
        return this.action.doAction("call_logging.crm_call_lead_report_action");
    }
}

registry.category("actions").add("call_logging.calls_dashboard", CallsDashboard);
