"""The call statistics: the reports' tables, how they are kept up to date, and how they are read.

This package owns them whole. ``crm.call.statistics.mixin`` is crm.call's aspect that queues the
(owner, day) buckets a change touched, at commit; ``crm.call.aggregate.mixin`` makes a model a table
of figures summed per owner and day, refreshed for the queued buckets by the statistics cron and
rebuilt every night, and read without writing anything: a bucket still queued is summed from its
calls as the report reads. ``crm.call.report`` (calls per day), ``crm.call.report.month`` (the same
per month, for long ranges) and ``crm.call.lead.report`` (leads contacted) are those tables;
``statistics_sql`` holds the SQL pieces they and the queue share. Their views and crons are in
``report/``; an addon adds figures with ``_aggregate_additional_figures``.

``models/__init__.py`` imports the aspect before crm.call (which lists it) and the tables after it:
their set-up reads the calls' table.
"""
