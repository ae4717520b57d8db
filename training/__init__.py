"""Fine-tuning, evaluation and the model registry (see the [classifiers] issue)."""
