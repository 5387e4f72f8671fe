"""Strong-Wolfe line search with cubic interpolation (More & Thuente style), as PyTorch's LBFGS.

Along a descent direction d from x, find a step t with
    f(x + t d) <= f(x) + c1 t g.d          (sufficient decrease, Armijo)
    |g(x + t d).d| <= c2 |g.d|             (strong curvature condition)
first by growing t until an interval brackets such a point, then by shrinking ("zooming")
the bracket with cubic interpolation of f and its slope at the two ends.
"""

import math

from ..backend import xp_of


def cubic_minimum(x1, f1, slope1, x2, f2, slope2, bounds=None):
    """The minimizer of the cubic through (x1, f1, f'=slope1) and (x2, f2, f'=slope2), clamped
    to `bounds` (default: between x1 and x2); the bounds' midpoint when the cubic has none."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = slope1 + slope2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - slope1 * slope2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((slope2 + d2 - d1) / (slope2 - slope1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((slope1 + d2 - d1) / (slope1 - slope2 + 2 * d2))
    return min(max(minimum, low), high)


def strong_wolfe(evaluate, t, direction, loss, flat_grad, slope, c1=1e-4, c2=0.9,
                 tolerance_change=1e-9, max_iterations=25):
    """Search t along `direction`; `evaluate(t)` returns (f, g) at x + t d.

    `loss`, `flat_grad`, `slope` = f, g and g.d at t = 0. At most 1 + max_iterations
    evaluations. Returns (f, g, t, evaluations used).
    """
    d_norm = float(xp_of(direction).abs(direction).max())
    f_new, g_new = evaluate(t)
    evaluations = 1
    slope_new = float(g_new @ direction)

    def armijo_fails(t, f_value):
        return f_value > loss + c1 * t * slope

    # Bracketing: grow t until [t_prev, t] holds a point satisfying the conditions.
    t_prev, f_prev, g_prev, slope_prev = 0, loss, flat_grad, slope
    done = False
    while evaluations - 1 < max_iterations:
        overshot = armijo_fails(t, f_new) or (evaluations > 2 and f_new >= f_prev)
        if not overshot and abs(slope_new) <= -c2 * slope:
            bracket, values, grads, slopes = [t], [f_new], [g_new], [slope_new]
            done = True
            break
        if overshot or slope_new >= 0:
            bracket = [t_prev, t]
            values, grads, slopes = [f_prev, f_new], [g_prev, g_new], [slope_prev, slope_new]
            break
        t_prev, t = t, cubic_minimum(t_prev, f_prev, slope_prev, t, f_new, slope_new,
                                     bounds=(t + 0.01 * (t - t_prev), t * 10))
        f_prev, g_prev, slope_prev = f_new, g_new, slope_new
        f_new, g_new = evaluate(t)
        evaluations += 1
        slope_new = float(g_new @ direction)
    else:
        bracket = [0, t]
        values, grads, slopes = [loss, f_new], [flat_grad, g_new], [slope, slope_new]

    # Zoom: shrink the bracket until a point satisfies both conditions.
    low, high = (0, 1) if values[0] <= values[-1] else (1, 0)
    insufficient_progress = False
    while not done and evaluations - 1 < max_iterations:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_minimum(bracket[0], values[0], slopes[0], bracket[1], values[1], slopes[1])
        left, right = min(bracket), max(bracket)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:  # too close to an end of the bracket
            if insufficient_progress or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        slope_new = float(g_new @ direction)
        if armijo_fails(t, f_new) or f_new >= values[low]:
            bracket[high], values[high], grads[high], slopes[high] = t, f_new, g_new, slope_new
            low, high = (0, 1) if values[0] <= values[1] else (1, 0)
        else:
            if abs(slope_new) <= -c2 * slope:
                done = True
            elif slope_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], values[high] = bracket[low], values[low]
                grads[high], slopes[high] = grads[low], slopes[low]
            bracket[low], values[low], grads[low], slopes[low] = t, f_new, g_new, slope_new
    return values[low], grads[low], bracket[low], evaluations
