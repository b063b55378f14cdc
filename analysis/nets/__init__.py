"""Networks: the model zoo, preprocessing, forward hooks, activation extraction, lesions."""
