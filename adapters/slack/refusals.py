"""What Slack's error answers to a post (``conversations.open``, then ``chat.postMessage``) say
about trying it again.

Three kinds, from the methods' documented errors (docs.slack.dev, each method's "Errors"):

* **passing**, Slack took nothing and a try later may work: a rate limit ``SlackGateway.call``
  doesn't wait out (a long ``Retry-After``, or short ones past its budget; ``RateLimited``
  carries the time left), Slack's service unavailable, a workspace in an
  Enterprise migration, a request that reached Slack truncated. Raised as ``NotPosted``: the
  caller's retry can't post it twice.
* **permanent**, Slack took nothing and the same post will be refused again until someone
  changes something: the channel (archived, gone, the app not in it), the DM's person
  (deactivated, unknown, a bot, the app's Messages tab off), the workspace or the app's token
  (a restricted action, a revoked token, a missing scope), the message itself. Raised as
  ``CannotPostThere``: final at once, never three tries of the same refusal.
* anything else, ``internal_error`` and ``fatal_error`` among them ("it's possible some aspect
  of the operation succeeded", Slack's docs), a 5xx or an answer naming no error: it is
  unknown whether the post went out, so it is raised as it is and never tried again.

A failed ``conversations.open`` posted nothing whatever it says (the post comes after it), so
only its permanent answers are final; every other one passes.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from narrate_bot.ports import CannotPostThere, NotPosted

# Who can let the app post in a channel it isn't in, in Slack's terms. The manifest names the
# app's bot user "narrate" (adapters/slack/manifest.yaml), which /invite completes.
HOW_TO_ADD = "Anyone in it can add me with /invite @narrate there."

# chat.postEphemeral's answers for a conversation the bot can't post in (never joined, a DM
# between other people, archived, posting restricted) or the person is no longer in.
NOT_POSTABLE_HERE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "user_not_in_channel",
        "is_archived",
        "restricted_action",
    }
)

# Slack refused for now, before doing anything: a try later may work and can't post twice.
PASSING = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "message_limit_exceeded",
        "service_unavailable",
        "team_added_to_org",  # "intermittently unavailable until the transition is complete"
        "org_login_required",  # "not available until migration is complete"
        "request_timeout",  # "the POST data was either missing or truncated"
    }
)
# The channel's answers: they stay until someone unarchives it, or adds the app.
CHANNEL = {
    "is_archived": CannotPostThere.ARCHIVED,
    "not_in_channel": CannotPostThere.NOT_IN_IT,
    "channel_not_found": CannotPostThere.NOT_IN_IT,
}
# The DM's person can't be sent one: deactivated, unknown or hidden from the app, a bot, an
# external person the workspace shares no channel with, or the app takes no DMs at all.
RECIPIENT = frozenset(
    {
        "messages_tab_disabled",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "user_not_visible",
        "cannot_dm_bot",
        "invalid_user_combination",
    }
)
# The workspace, the app's token or the message: refused the same way until an admin or a
# developer changes something.
REFUSED = frozenset(
    {
        # a workspace setting or an admin's choice
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_locked",
        "ekm_access_denied",
        "access_denied",
        "accesslimited",
        "enterprise_is_restricted",
        "team_access_not_granted",
        "two_factor_setup_required",
        # the app's token and its scopes
        "account_inactive",
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "as_user_not_supported",
        "method_deprecated",
        "deprecated_endpoint",
        # the message or the request itself
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "too_many_attachments",
        "too_many_contact_cards",
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_charset",
        "invalid_form_data",
        "invalid_post_type",
        "missing_post_type",
        "channel_type_not_supported",
        "method_not_supported_for_channel_type",
        "not_enough_users",
        "too_many_users",
        "users_list_not_supplied",
        "team_not_found",
    }
)


def error_code(error: SlackApiError) -> str:
    """Slack's error code in ``error``'s answer; empty when it names none. A 5xx whose body
    isn't JSON (Slack's edge answering) leaves slack_sdk's raw HTTP response there, not a
    ``AsyncSlackResponse``."""
    response = error.response
    if isinstance(response, AsyncSlackResponse) and isinstance(response.data, dict):
        return str(response.data.get("error", "") or "")
    return ""


def permanent(code: str, *, direct: bool) -> CannotPostThere | None:
    """The refusal ``code`` stands for when it stays until someone changes something, else
    ``None``. ``direct``: the post is a DM, so a channel Slack can't find is the person's."""
    if code in RECIPIENT or (direct and code in CHANNEL):
        return CannotPostThere(CannotPostThere.NO_DM)
    reason = CHANNEL.get(code)
    if reason is not None:
        how = HOW_TO_ADD if reason == CannotPostThere.NOT_IN_IT else ""
        return CannotPostThere(reason, how_to_add=how)
    if code in REFUSED:
        return CannotPostThere(CannotPostThere.REFUSED)
    return None


def retry_after(error: SlackApiError) -> float | None:
    """Seconds to wait when Slack said 429, else ``None``."""
    response = error.response
    if getattr(response, "status_code", None) != 429:
        return None
    headers = {k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    value = headers.get("retry-after", "1")
    if isinstance(value, list):
        value = value[0]
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 1.0


def passing(error: SlackApiError, code: str) -> bool:
    """Whether Slack said "not now" and took nothing (a 429 counts, whatever its body)."""
    return code in PASSING or getattr(error.response, "status_code", None) == 429


def post_refused(error: SlackApiError, *, direct: bool) -> Exception | None:
    """What ``chat.postMessage``'s ``error`` means for the caller: ``CannotPostThere`` (final),
    ``NotPosted`` (try later), or ``None`` when it may have posted (raise it as it is)."""
    code = error_code(error)
    found = permanent(code, direct=direct)
    if found is not None:
        return found
    if passing(error, code):
        return NotPosted(code or "ratelimited", retry_after=retry_after(error))
    return None


def open_refused(error: SlackApiError) -> Exception:
    """What a failed ``conversations.open`` means: nothing was posted, so a refusal that stays
    is final (``CannotPostThere``) and any other answer, a 5xx and ``internal_error`` too, may
    be tried again (``NotPosted``)."""
    code = error_code(error)
    return permanent(code, direct=True) or NotPosted(
        code or "conversations.open failed", retry_after=retry_after(error)
    )
