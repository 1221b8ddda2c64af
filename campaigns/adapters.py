"""The site's allauth adapter: the accounts adapter, plus what signing in means to campaigns.

It lives here rather than in ``accounts`` because accounts may not import the apps above it; the
higher app extends the lower one's adapter instead (settings ``ACCOUNT_ADAPTER`` points here).
"""

from __future__ import annotations

from accounts.adapters import AccountAdapter as AccountsAdapter

from .list_services import list_invitations_accept


class AccountAdapter(AccountsAdapter):
    def login(self, request, user) -> None:
        super().login(request, user)
        # Lists shared with this address before the account existed open up at its first sign-in:
        # right after sign-up, or after the address is confirmed where confirmation is mandatory
        # (allauth runs its verification stage before this), or for an account an operator made.
        list_invitations_accept(user=user)
