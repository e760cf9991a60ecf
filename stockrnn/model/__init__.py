"""The network and fitting it (torch).

- config: ModelConfig and TrainConfig (light: no torch)
- network: the RNN/LSTM/GRU with a recursive or direct head
- windows: batches of windows and targets gathered on the device
- adam: Adam for CPU training, outside torch.optim (whose first use imports torch._dynamo)
- threads: torch threads from the cores this process may use, shared among workers
- loop: the training loop: Adam, early stopping, Ctrl-C, hooks
- steps: one optimiser step: eager, sharded across torchrun ranks, or a CUDA graph
- cuda_graph: the step captured and replayed as a CUDA graph
- ddp: the torchrun process group, and what each rank does differently
- torchrun: `train --nproc` and what torchrun tells each process (light: no torch)
"""
