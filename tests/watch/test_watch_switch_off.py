"""Watch mode stops paying for recording once training steps repeat, with or without an optimizer."""
import subprocess
import sys
import textwrap

import torch
import torch.nn as nn

from tensorsight.diagnose.run.watch import Watcher


def _mode_stack():
    return [torch._C._get_function_stack_at(i) for i in range(torch._C._len_torch_function_stack())]


def test_manual_updates_switch_recording_off_and_a_new_batch_size_switches_it_on():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    with Watcher() as w:
        for _ in range(3):                      # weights updated by hand: no optimizer at all
            loss = model(torch.randn(16, 4)).pow(2).mean()
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
        assert not w.recorder.active
        assert w.recorder not in _mode_stack()   # popped: the user's ops no longer call into it
        n = len(w.trace.events)
        model(torch.randn(16, 4))               # same signature: nothing new
        assert len(w.trace.events) == n
        model(torch.randn(5, 4))                # the last, partial batch: recorded again
        assert w.recorder.active and w.recorder in _mode_stack()
        assert any(e.op == "F.linear" and e.inputs[0].shape == (5, 4) for e in w.trace.events[n:])
    assert w.recorder not in _mode_stack()


def test_lbfgs_passes_inside_one_step_count_as_steps():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    opt = torch.optim.LBFGS(model.parameters(), max_iter=5)
    with Watcher() as w:
        def closure():
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            return loss
        opt.step(closure)
        assert w.backward_passes >= 2 and not w.recorder.active


def test_pause_never_pops_a_mode_the_user_entered():
    model = nn.Linear(2, 2)
    with Watcher() as w:
        for _ in range(2):
            model(torch.randn(3, 2)).sum().backward()
        assert not w.recorder.active
        before = _mode_stack()
        with torch.device("cpu"):               # a TorchFunctionMode of the user's
            model(torch.randn(7, 2))            # a new signature while the user's mode is on top
            assert _mode_stack()[:len(before)] == before
        assert _mode_stack() == before
    assert w.recorder not in _mode_stack()


def test_a_clean_run_never_imports_the_code_editor(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        m = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            m(torch.randn(4, 3)).pow(2).mean().backward()
            opt.step()
        import atexit
        atexit.register(lambda: print("libcst loaded:", "libcst" in sys.modules))
    """))
    out = subprocess.run([sys.executable, "-m", "tensorsight", "run", str(script)], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "libcst loaded: False" in out.stdout
