"""Text analysis: pseudonymisation, classifiers, aggregation statistics."""
