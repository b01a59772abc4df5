"""Import payslips, annual statements and leave balances from the payroll system.

Two formats (docs/payroll-import.md):
- JSON: one object with the lists "payslips" (lines nested), "annual_statements" and
  "leave_balances"; problems are reported with paths such as `payslips[3].lines[1].amount`;
- CSV: one kind per file (`kind` given, or recognised from the header); a payslip has one row
  per line item, with the payslip's own columns repeated; problems are reported as
  "line N, column" (the header is line 1).

All or nothing per file: any problem and nothing is saved. Idempotent: a payslip is identified
by (employee number, year, period kind, period), a statement by (employee number, year), a balance
by (employee number, leave type code, year); importing again updates them, and a payslip's lines
are replaced.
"""
