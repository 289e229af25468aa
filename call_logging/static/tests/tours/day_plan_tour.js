import { registry } from "@web/core/registry";

const card = (section, name) =>
    `.o_call_day_plan_section_${section} .o_call_day_plan_card:contains(${name})`;

/**
 * The day plan as the start screen: complete an upcoming call, cancel an
 * overdue one, call back a missed caller and find that call under "Done today",
 * then log a call from the control panel.
 */
registry.category("web_tour.tours").add("call_logging_day_plan", {
    steps: () => [
        {
            content: "The plan shows the missed call with its number",
            trigger: `${card("missed", "Tour missed caller")} .o_call_day_plan_phone:contains(+48 601 000 111)`,
        },
        {
            content: "Mark the upcoming call completed",
            trigger: `${card("upcoming", "Tour quarterly review")} .o_call_day_plan_mark_done`,
            run: "click",
        },
        {
            content: "It leaves the upcoming calls",
            trigger: `.o_call_day_plan_section_upcoming:not(:has(.o_call_day_plan_card:contains(Tour quarterly review)))`,
        },
        {
            content: "Cancel the overdue call",
            trigger: `${card("overdue", "Tour confirm delivery")} .o_call_day_plan_cancel`,
            run: "click",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary:contains(Cancel the call)",
            run: "click",
        },
        {
            content: "It leaves the overdue calls",
            trigger: `.o_call_day_plan_section_overdue:not(:has(.o_call_day_plan_card:contains(Tour confirm delivery)))`,
        },
        {
            content: "Call the missed caller back",
            trigger: `${card("missed", "Tour missed caller")} .o_call_day_plan_call_back`,
            run: "click",
        },
        {
            content: "The call back runs, to the same number",
            trigger: ".o_form_view .o_call_timer_talk",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=phone] input:value(+48 601 000 111)",
        },
        {
            content: "Hang up",
            trigger: ".o_form_view button[name=action_end_call]",
            run: "click",
        },
        {
            content: "The wrap-up asks for the result: later",
            trigger: ".modal .modal-footer button:contains(Later)",
            run: "click",
        },
        {
            content: "Back to the day plan",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Day Plan)",
            run: "click",
        },
        {
            content: "The call back lasted seconds: it waits among the short calls of Done Today",
            trigger: ".o_call_day_plan_section_done_today .o_call_day_plan_fold",
            run: "click",
        },
        {
            content: "The call back is done today",
            trigger: `${card("done_today", "Tour missed caller")}`,
        },
        {
            content: "Log another call from the control panel",
            trigger: ".o_call_day_plan_new_log",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Tour walk-in question",
        },
        {
            trigger: ".modal .o_field_widget[name=direction] input[data-value=inbound]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=duration] input",
            run: "edit 2:05",
        },
        {
            trigger: ".modal .modal-footer button[special=save]",
            run: "click",
        },
        {
            content: "The logged call is done today, 02:05 long",
            trigger: `${card("done_today", "Tour walk-in question")} .o_call_day_plan_duration:contains(02:05)`,
        },
    ],
});
