"""The rules' configured values (config.py), for services that have no caller to hand them in.

Inside the app (a request, a scheduler job, a CLI command) the app's configuration answers;
without one (a script, a unit test calling a service) config.Config's value, read from the
environment, does.
"""
from flask import current_app, has_app_context

import config


def setting(name):
    return current_app.config[name] if has_app_context() else getattr(config.Config, name)
