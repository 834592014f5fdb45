"""A loss the segmentator benchmarks can train with instead of plain cross-entropy (`--lovasz W`).

The Lovász-softmax loss (Berman, Rannen Triki and Blaschko, CVPR 2018) is a convex surrogate of each class's
Jaccard loss (1 − IoU): for every class present in the batch, the pixels' errors |fg − p| are sorted from the largest
down and weighed by the gradient of the Jaccard loss's Lovász extension, so the loss falls as the batch's IoU rises.
Here it is added to cross-entropy with weight W, over a random sample of at most 65 536 labelled pixels of the batch
(sorting every pixel of a 256x512 Cityscapes batch costs more than the step); 255 is ignored.
"""
import torch
import torch.nn.functional as F


def lovasz_grad(fg_sorted):
    "Gradient of the Lovász extension of the Jaccard loss at the errors sorted from the largest down (`fg_sorted`: 1 where the class is)."
    total = fg_sorted.sum()
    inter = total - fg_sorted.cumsum(0)
    union = total + (1 - fg_sorted).cumsum(0)
    jac = 1 - inter / union
    return torch.cat([jac[:1], jac[1:] - jac[:-1]])


def lovasz_softmax(logits, mask, max_pixels=65536, ignore_index=255):
    "Mean Lovász-softmax loss over the classes present in `mask` (logits `N×C×H×W`, mask `N×H×W`)."
    c = logits.shape[1]
    p = logits.softmax(1).permute(0, 2, 3, 1).reshape(-1, c)
    m = mask.reshape(-1)
    keep = (m != ignore_index).nonzero().squeeze(1)
    if len(keep) > max_pixels: keep = keep[torch.randperm(len(keep), device=keep.device)[:max_pixels]]
    p, m = p[keep], m[keep]
    if len(m) == 0: return logits.sum() * 0
    losses = []
    for k in m.unique().tolist():
        fg = (m == k).float()
        err, order = torch.sort((fg - p[:, k]).abs(), descending=True)
        losses.append(torch.dot(err, lovasz_grad(fg[order])))
    return torch.stack(losses).mean()


def ce_lovasz(weight):
    "`loss_fn(logits, mask, reliability)` for `train_segmentator`: cross-entropy plus `weight` × Lovász-softmax (None for 0: the default loss)."
    if not weight: return None
    return lambda logits, mask, reliability: F.cross_entropy(logits, mask, ignore_index=255) + weight * lovasz_softmax(logits, mask)


if __name__ == '__main__':  # the specification: a perfect prediction costs nothing, a wrong one costs the most
    m = torch.randint(0, 3, (2, 16, 16))
    right = F.one_hot(m, 3).permute(0, 3, 1, 2).float() * 40
    assert lovasz_softmax(right, m) < 1e-6
    assert lovasz_softmax(right.roll(1, 1), m) > 0.99
    m[0, :4] = 255
    assert lovasz_softmax(right, m) < 1e-6
    print('ok')
