"""Api views."""

from flask import Blueprint

bp = Blueprint("api", __name__)
