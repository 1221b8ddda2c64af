"""The name of every background task, once.

Services send messages by name (``influencer_platform.jobs.actor_send``), so that a service never
imports the actors module that imports it, and the actors are declared under these same names. The
kernel checks at start-up that each name has its actor, so a misspelt or removed task stops the
process instead of failing a message later.
"""

# scraping
JOB_STEP = "job_step"
JOBS_SWEEP = "jobs_sweep"
CREATOR_AVATARS_FETCH = "creator_avatars_fetch"
# billing
BILLING_EVENT_PROCESS = "billing_event_process"
LIFECYCLE_EMAIL = "lifecycle_email"
EMAIL_TEST_SEND = "email_test_send"
TRIAL_EXPIRY_SWEEP = "trial_expiry_sweep"
USAGE_RESET_SWEEP = "usage_reset_sweep"
SUBSCRIPTIONS_RECONCILE = "subscriptions_reconcile"
WELCOME_EMAIL = "welcome_email"
# campaigns
SEARCH_FINISHED = "search_finished"
# adminpanel
BACKGROUND_HISTORY_PRUNE = "background_history_prune"
# the console
OPS_HEALTH_CHECK = "ops_health_check"

ACTOR_NAMES = frozenset({
    JOB_STEP, JOBS_SWEEP, CREATOR_AVATARS_FETCH, BILLING_EVENT_PROCESS, LIFECYCLE_EMAIL, EMAIL_TEST_SEND,
    TRIAL_EXPIRY_SWEEP, USAGE_RESET_SWEEP, SUBSCRIPTIONS_RECONCILE, WELCOME_EMAIL, SEARCH_FINISHED,
    BACKGROUND_HISTORY_PRUNE, OPS_HEALTH_CHECK,
})
