#!/usr/bin/python3
# Golden values of tests/unit/test_metrics.cpp, from scikit-learn 1.2.1 (Debian 12's
# python3-sklearn, installed by third_party/install.sh --peers). Run: /usr/bin/python3 make_golden.py
import numpy as np
from sklearn.metrics import (classification_report, precision_recall_curve, precision_recall_fscore_support,
                             roc_auc_score, roc_curve)
from sklearn.utils.class_weight import compute_class_weight

np.set_printoptions(precision=17)

# Binary scores with ties across the classes (0.4 and 0.35 are shared by both).
y = np.array([0, 0, 1, 1, 0, 1, 1, 0, 1, 1])
s = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.6, 0.35])
print("roc_auc", repr(roc_auc_score(y, s)))
fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
print("roc fpr", list(fpr)); print("roc tpr", list(tpr)); print("roc thresholds", list(thr))
p, r, t = precision_recall_curve(y, s)
print("pr precision", list(p)); print("pr recall", list(r)); print("pr thresholds", list(t))
print("balanced", list(compute_class_weight("balanced", classes=np.array([0, 1]), y=y)))
print("balanced pneumonia train (1214, 3494)",
      list(compute_class_weight("balanced", classes=np.array([0, 1]), y=np.array([0] * 1214 + [1] * 3494))))

# Three classes present, a fourth never present nor predicted; class 2 is never predicted right.
yt = [0, 0, 1, 1, 1, 2, 0, 1]
yp = [0, 1, 1, 1, 0, 0, 0, 2]
print("prfs", [list(a) for a in precision_recall_fscore_support(yt, yp, labels=[0, 1, 2, 3], zero_division=0)])
for avg in ("macro", "weighted"):
    print(avg, list(precision_recall_fscore_support(yt, yp, labels=[0, 1, 2, 3], zero_division=0, average=avg)[:3]))
# (With the absent class 3 listed, sklearn titles the accuracy row "micro avg"; typenet always
# says accuracy, so the report text is compared on the classes present.)
print("report:")
print(classification_report(yt, yp, zero_division=0, digits=3), end="")
print("report binary names:")
print(classification_report(y, (s >= 0.5).astype(int), target_names=["normal", "pneumonia"]), end="")
