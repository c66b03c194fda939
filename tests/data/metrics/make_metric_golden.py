#!/usr/bin/python3
# Golden values of tests/unit/metrics/test_metric.cpp (the metrics compile() takes), from
# scikit-learn 1.2.1 and NumPy (Debian 12's python3-sklearn). The inputs are written out too, so
# that the test needs no Python. Run: /usr/bin/python3 make_metric_golden.py > metric_golden.txt
#
# Keras's AUC is the ROC AUC of the scores as its thresholds bucket them: num_thresholds = 200
# thresholds in float32, -1e-7, (i + 1) / 199 for i < 198, 1 + 1e-7, a score counting as above a
# threshold when greater than it. sklearn's roc_auc_score of each score's bucket (how many
# thresholds are below it) is that area exactly; the exact AUC of the raw scores is printed too.
import numpy as np
from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, precision_score, recall_score, roc_auc_score

rng = np.random.default_rng(7)


def line(name, values):
    print(name, " ".join(repr(float(v)) for v in np.ravel(values)))


# Binary: 300 sigmoid outputs, labels correlated with them; a few scores exactly 0, 1 and 0.5.
n = 300
y = rng.integers(0, 2, n)
p = (1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.6, n))))).astype(np.float32)
p[:3] = [0.0, 1.0, 0.5]
line("binary_p", p)
line("binary_y", y)
predicted = p > 0.5
line("binary_accuracy", [accuracy_score(y, predicted)])
line("binary_accuracy_0.7", [accuracy_score(y, p > 0.7)])
line("precision", [precision_score(y, predicted)])
line("recall", [recall_score(y, predicted)])
thresholds = np.array([-1e-7] + [(i + 1) * 1.0 / 199 for i in range(198)] + [1 + 1e-7], dtype=np.float32)
buckets = np.array([np.sum(thresholds < v) for v in p])
line("auc_keras", [roc_auc_score(y, buckets)])
line("auc_exact", [roc_auc_score(y, p)])

# Three classes: softmax rows and one-hot targets.
m = 120
logits = rng.normal(0, 1, (m, 3))
labels = rng.integers(0, 3, m)
logits[np.arange(m), labels] += 1.0
probabilities = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
onehot = np.eye(3)[labels]
line("categorical_p", probabilities)
line("categorical_y", labels)
line("categorical_accuracy", [accuracy_score(labels, probabilities.argmax(axis=1))])
# Precision and recall over every value, as Keras's on one-hot rows.
line("categorical_precision", [precision_score(onehot.ravel(), (probabilities > 0.5).ravel())])
line("categorical_recall", [recall_score(onehot.ravel(), (probabilities > 0.5).ravel())])
line("categorical_auc_exact", [roc_auc_score(onehot.ravel(), probabilities.ravel())])

# Regression: two outputs.
r = 80
target = rng.normal(0, 2, (r, 2)).astype(np.float32)
output = (target + rng.normal(0, 0.5, (r, 2))).astype(np.float32)
line("regression_p", output)
line("regression_y", target)
line("mae", [mean_absolute_error(target.astype(np.float64), output.astype(np.float64))])
line("mse", [mean_squared_error(target.astype(np.float64), output.astype(np.float64))])
