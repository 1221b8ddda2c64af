from allauth.account import stages
from allauth.account.adapter import get_adapter
from allauth.account.app_settings import EmailVerificationMethod


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's email verification step of signing in, made mandatory where the adapter says so.

    ``ACCOUNT_EMAIL_VERIFICATION`` sets the rule for customers; an operator signs in with a
    confirmed address whatever it says.
    """

    def handle(self):
        user = self.login.user
        if user is not None and get_adapter(self.request).is_email_verification_mandatory(user):
            self.login.email_verification = EmailVerificationMethod.MANDATORY
        return super().handle()
