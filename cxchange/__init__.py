"""cxchange: change readiness for customer-experience programmes."""
