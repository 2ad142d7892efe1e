"""The one list of Sinergi's modules, in nav order. Nav, gates, home panels and the demo read it through
``core.modules``; tests read it here. To add a module: declare its ``Module`` in its package and list it here."""

from blueprints import admin, pks, rujukan, sidilan

MODULES = (sidilan.MODULE, rujukan.MODULE, pks.MODULE, admin.MODULE)
