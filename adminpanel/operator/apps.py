from django.apps import AppConfig


class OperatorToolsConfig(AppConfig):
    """The top of the import order: operator tools that act on users, plans and searches.

    Nothing imports this package except the admin site (by name, from settings). Its models live in
    ``adminpanel``; this app only adds admin pages and the services behind them.
    """

    name = "adminpanel.operator"
    label = "operator"
    verbose_name = "Operator tools"
