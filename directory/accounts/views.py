"""Accounts views."""

from flask import Blueprint

from directory.accounts import loaders  # noqa: F401 - registers the user loader

bp = Blueprint("accounts", __name__)
