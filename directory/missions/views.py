"""Missions views."""

from flask import Blueprint

bp = Blueprint("missions", __name__)
