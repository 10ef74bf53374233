"""Children in care: carer households, placements, placement agreements, family time."""
