"""habilita: durable onboarding of companies onto electronic invoicing."""
