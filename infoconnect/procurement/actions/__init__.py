"""Every write of company purchasing, one module per use-case family; import the module you need
(``from infoconnect.procurement.actions import companies``)."""
