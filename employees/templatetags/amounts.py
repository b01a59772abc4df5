"""Template filters for amounts as Dutch readers write them: euros, hours, percentages."""

from django import template

from employees.formatting import format_euro, format_hours, format_percentage

register = template.Library()

register.filter("euro", format_euro)
register.filter("hours", format_hours)
register.filter("percentage", format_percentage)
