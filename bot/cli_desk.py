"""The kecamatan's desk on the command line: agreed dates, bulk import, the evidence archive, people."""

from __future__ import annotations
