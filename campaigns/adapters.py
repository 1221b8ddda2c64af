"""The site's allauth adapter: the accounts adapter, plus what signing in means to campaigns.

It lives here rather than in ``accounts`` because accounts may not import the apps above it; the
higher app extends the lower one's adapter instead (settings ``ACCOUNT_ADAPTER`` points here).
"""

from __future__ import annotations

from accounts.adapters import AccountAdapter as AccountsAdapter
from influencer_platform.throttling import client_address

from .lists.services import list_invitations_accept


class AccountAdapter(AccountsAdapter):
    def login(self, request, user) -> None:
        super().login(request, user)
        # Lists shared with this address before the account existed open up at sign-in once the
        # address is confirmed (or at once for an account an operator made).
        list_invitations_accept(user=user)

    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        # Invitations wait for a confirmed address (see list_invitations_accept); someone who
        # confirms while signed in gets their lists now, not at their next sign-in.
        if confirmed:
            list_invitations_accept(user=email_address.user)
        return confirmed

    def get_client_ip(self, request) -> str:
        # allauth's sign-in, sign-up and reset limits count per client like every other limiter.
        return client_address(request)
