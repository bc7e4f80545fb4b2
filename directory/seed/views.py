"""The seed domain has no pages; its blueprint exists so that the factory registers its CLI."""

from flask import Blueprint

bp = Blueprint("seed", __name__)
