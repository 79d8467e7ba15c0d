"""The catalogue of run failure reasons: the stable code in results.csv's ``reason`` column.

Why a catalogue: a partner filters a night's failures by cause (``numbers.unavailable`` is a porting task,
``server.unreachable`` is ours to rerun), and a code stays the same when its message's wording changes.
Codes name the object first, like the validation rules (``users.phone_number.not_in_location``).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a row did not succeed; ``CATALOGUE`` says what each means and what to do."""

    CUSTOMER_PROVISIONING_ERROR = "customer.provisioning_error"
    CUSTOMER_RPL_REVIEW = "customer.rpl_review"
    CUSTOMER_STILL_PROVISIONING = "customer.still_provisioning"
    CUSTOMER_UNKNOWN_STATE = "customer.unknown_state"
    CUSTOMER_CALLING_NOT_READY = "customer.calling_not_ready"
    CUSTOMER_NOT_MANAGEABLE = "customer.not_manageable"
    CUSTOMER_NOT_FOUND = "customer.not_found"
    LOCATION_NOT_FOUND = "location.not_found"
    LOCATION_INCOMPLETE = "location.incomplete"
    LOCATION_NOT_LISTED = "location.not_listed_yet"
    NUMBERS_UNAVAILABLE = "numbers.unavailable"
    NUMBERS_INTEGRATED_PSTN = "numbers.integrated_pstn"
    NUMBERS_NOT_ON_LOCATION = "numbers.not_on_location"
    PSTN_CONNECTION = "numbers.pstn_connection"
    SUBSCRIBER_NUMBER_NOT_IN_LOCATION = "subscriber.number_not_in_location"
    SUBSCRIBER_NUMBER_INVALID = "subscriber.number_invalid"
    SUBSCRIBER_EMAIL_IN_OTHER_ORG = "subscriber.email_in_other_org"
    SUBSCRIBER_EMAIL_IN_OTHER_CUSTOMER = "subscriber.email_in_other_customer"
    SUBSCRIBER_NOT_LISTED = "subscriber.not_listed_yet"
    SUBSCRIBER_CONSENT_PENDING = "subscriber.consent_pending"
    ROLES_UNKNOWN = "roles.unknown"
    ROLES_NO_PERSON = "roles.no_person"
    ROLES_PERSON_CHANGED = "roles.person_changed"
    UPDATE_REFUSED = "update.refused"
    API_REFUSED = "api.refused"
    API_NOT_FOUND = "api.not_found"
    API_CONFLICT = "api.conflict"
    API_FORBIDDEN = "api.forbidden"
    THROTTLED = "throttled.budget_exhausted"
    SERVER_ERROR = "server.error"
    SERVER_UNREACHABLE = "server.unreachable"
    SERVER_NO_ANSWER = "server.no_answer"
    DEPENDENCY_FAILED = "dependency.failed"
    REMOVAL_REFUSED = "prune.max_deletes"
    NOT_REACHED = "run.not_reached"
    INVALID = "input.invalid"
    INTERNAL = "internal.error"
    CUTOVER = "change.cutover"
    WAVE_STOPPED = "change.wave_stopped"
    PLAN_DRIFT = "change.plan_drift"
    UNDO_CHANGED_SINCE = "undo.changed_since"
    UNDO_MAX_DELETES = "undo.max_deletes"
    UNDO_BLOCKED = "undo.location_blocked"
    UNDO_NOT_REVERSIBLE = "undo.not_reversible"
    UNDO_HOLDS_LEFT = "undo.holds_left"


#: What each reason means and what the partner does about it (the README's table is generated from this).
CATALOGUE: dict[Reason, str] = {
    Reason.CUSTOMER_PROVISIONING_ERROR: "Webex ended the customer's provisioning in error: fix it in Partner Hub",
    Reason.CUSTOMER_RPL_REVIEW: "pending: the customer waits for a compliance (Denied Party List) review",
    Reason.CUSTOMER_STILL_PROVISIONING: "pending: the customer was still provisioning when the run's patience ended",
    Reason.CUSTOMER_CALLING_NOT_READY: "pending: the customer's calling package is not ready (e.g. warning 2560)",
    Reason.CUSTOMER_UNKNOWN_STATE: "the customer is in a state the tool does not know: check it in Partner Hub",
    Reason.CUSTOMER_NOT_MANAGEABLE: "the partner cannot manage the customer's organization yet (roles)",
    Reason.CUSTOMER_NOT_FOUND: "a row names a customer that is neither in the batch nor on the server",
    Reason.LOCATION_NOT_FOUND: "a location the row needs is not on the server (the HQ, or a named location)",
    Reason.LOCATION_INCOMPLETE: "the location row lacks a field Webex requires",
    Reason.LOCATION_NOT_LISTED: "Webex accepted the location but does not list it yet: run again later",
    Reason.NUMBERS_UNAVAILABLE: "a number belongs to another location or organization, or is out of range",
    Reason.NUMBERS_INTEGRATED_PSTN: "the location's PSTN is integrated: its numbers come from the provider",
    Reason.NUMBERS_NOT_ON_LOCATION: "a number to activate is not on its location: add it first (run without activate)",
    Reason.PSTN_CONNECTION: "the row's pstn_connection is not one of the location's options",
    Reason.SUBSCRIBER_NUMBER_NOT_IN_LOCATION: "the user's number is not one of its location's numbers",
    Reason.SUBSCRIBER_NUMBER_INVALID: "the user's number cannot be read with its location's country",
    Reason.SUBSCRIBER_EMAIL_IN_OTHER_ORG: "the email belongs to a user of another Webex organization",
    Reason.SUBSCRIBER_EMAIL_IN_OTHER_CUSTOMER: "the email is a subscriber of another customer",
    Reason.SUBSCRIBER_NOT_LISTED: "Webex accepted the user but does not list it yet: run again later",
    Reason.SUBSCRIBER_CONSENT_PENDING: "pending: a free Webex account must accept the move (--resend-consent)",
    Reason.ROLES_UNKNOWN: "the roles column names a role Webex does not have",
    Reason.ROLES_NO_PERSON: "the user is not a person of the organization yet (a free account awaits consent)",
    Reason.ROLES_PERSON_CHANGED: "the person changed while its roles were given: run again",
    Reason.UPDATE_REFUSED: "--update would change what the tool never changes (e.g. a full administrator's package)",
    Reason.API_REFUSED: "Webex refused the request (HTTP 400 or another 4xx): the message says what to correct",
    Reason.API_NOT_FOUND: "Webex does not know an object the request names (HTTP 404)",
    Reason.API_CONFLICT: "Webex says the object or a value of it is taken (HTTP 409)",
    Reason.API_FORBIDDEN: "the token may not do this (HTTP 403): check the partner's roles and scopes",
    Reason.THROTTLED: "Webex kept throttling the request (429/423) for the whole throttle budget",
    Reason.SERVER_ERROR: "Webex kept failing (5xx) after every retry: run again later",
    Reason.SERVER_UNREACHABLE: "no connection to the server after every retry",
    Reason.SERVER_NO_ANSWER: "no answer to a write after every retry: it may have landed; the next run looks first",
    Reason.DEPENDENCY_FAILED: "not attempted: a row it depends on did not succeed (the message names it)",
    Reason.REMOVAL_REFUSED: "--prune would remove more subscribers than --max-deletes allows: none was removed",
    Reason.NOT_REACHED: "the run stopped before this row (a signal, a dead server): run the same command",
    Reason.INVALID: "the row did not pass validation (validation.csv says why)",
    Reason.INTERNAL: "a bug in rtm-batch: please report it with the message",
    Reason.CUTOVER: "pending: the customer's cutover_at time has not come; a run after it goes on",
    Reason.WAVE_STOPPED: "not attempted: an earlier --waves wave failed more rows than --max-fail-percent",
    Reason.PLAN_DRIFT: "run --plan: the object changed on the server since the plan was saved (the message names how)",
    Reason.UNDO_CHANGED_SINCE: "undo: changed on the server since the run (the message names how): left alone",
    Reason.UNDO_MAX_DELETES: "undo would delete more objects than --max-deletes allows: nothing was deleted",
    Reason.UNDO_BLOCKED: "undo: Webex's safe-delete check says BLOCKED (users, trunks, …): the location is left",
    Reason.UNDO_NOT_REVERSIBLE: "undo: the run's change has no before-image (or Webex offers no way back): left",
    Reason.UNDO_HOLDS_LEFT: "undo: something under it was left alone, so it is left too (the message names it)",
}
