"""Representatives views."""

from flask import Blueprint

bp = Blueprint("representatives", __name__)
