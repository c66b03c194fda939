#!/usr/bin/python3
# Golden values of tests/unit/training/test_learning_rate.cpp: the learning rate PyTorch 1.13's
# schedulers (Debian 12's python3-torch) give at steps 0..N, for the PyTorch equivalent of each
# Keras schedule typenet implements. Run: /usr/bin/python3 make_golden.py > golden.txt
#   ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True) = StepLR(step_size=10, gamma=0.9)
#   ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)                  = ExponentialLR(gamma=0.9)
#   PiecewiseConstantDecay([3, 7], [0.1, 0.01, 0.001])                    = MultiStepLR([4, 8], gamma=0.1):
#     Keras keeps a value while step <= boundary, PyTorch changes it once step >= milestone
#   CosineDecay(0.1, decay_steps=20, alpha=0.05)                          = CosineAnnealingLR(T_max=20, eta_min=0.005),
#     up to step 20 (after it Keras stays at the floor and PyTorch rises again)
#   CosineDecay(0.01, decay_steps=10, warmup_target=0.1, warmup_steps=5)  = LinearLR(0.1, 1.0, 5) then
#     CosineAnnealingLR(T_max=10), chained by SequentialLR at step 5
import torch


def rates(make, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


S = torch.optim.lr_scheduler
cases = {
    "exponential_staircase": rates(lambda o: S.StepLR(o, step_size=10, gamma=0.9), 35),
    "exponential_per_step": rates(lambda o: S.ExponentialLR(o, gamma=0.9), 30),
    "piecewise": rates(lambda o: S.MultiStepLR(o, milestones=[4, 8], gamma=0.1), 12),
    "cosine": rates(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.005), 21),
    "cosine_warmup": rates(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                                        S.CosineAnnealingLR(o, T_max=10)], milestones=[5]), 16),
}
for name, values in cases.items():
    print(name, " ".join(repr(v) for v in values))
