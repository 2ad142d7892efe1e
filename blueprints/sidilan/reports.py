"""SIDILAN dashboard, import/export and printouts (views registered on the sidilan blueprint)."""
