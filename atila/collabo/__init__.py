"""Atila working with other frameworks: Django as the ORM and admin (docs/django.md)."""
