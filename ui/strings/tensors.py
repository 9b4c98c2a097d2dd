"""Tensors page (course 000, 1.3; primer 001, chapters 2–5)."""

JA = {
    "nav.tensors": "テンソル",
    "home.blurb.tensors": "テンソルを作って操作し、ブロードキャストと自動微分を確かめる",
    "tensors.title": "テンソル：PyTorch の基本",
    "tensors.lead": (
        "**テンソル** は多次元配列です（0 次元 = スカラー、1 次元 = ベクトル、2 次元 = 行列）。"
        "作り方と値を選ぶと、できたテンソルがすぐ下に表示されます。"
    ),
    "tensors.about": "このページで学ぶこと",
    "tensors.intro": (
        "テンソルを作り、形を変え、つなぎ、掛け算します。形の違うテンソルどうしの計算（ブロードキャスト）、"
        "勾配を自動で求める仕組み（autograd）、活性化関数、はじめての学習ループ、GPU での計算も試せます。"
        "ここで入力した値やリストは Python として実行されず、数値として安全に読み取られます。"
    ),
    "tensors.values_help": "数値・True/False・[ ] だけが読み取られます。Python として実行されることはありません。",
    "tensors.create": "テンソルを作る",
    "tensors.creator": "作り方",
    "tensors.values": "値（リスト）",
    "tensors.shape": "形（shape）例：2, 3",
    "tensors.info": "`{name}`：shape **{shape}** ・ 次元数 {ndim} ・ dtype **{dtype}** ・ device **{device}** ・ 要素数 {numel}",
    "tensors.slice_dim": "{dim} 次元目のインデックス",
    "tensors.slice": "3 次元以上なので、`{name}[{idx}]` の 2 次元スライスを表示しています。",
    "tensors.operate": "テンソルを操作する",
    "tensors.fallback": "上のテンソルが作れなかったので、代わりに `torch.arange(6.).reshape(2, 3)` を使います。",
    "tensors.operate_on": "上で作ったテンソル x（shape {shape}）を操作します。",
    "tensors.operate_on_fallback": "代わりのテンソル x（shape {shape}）を操作します。上のテンソルを直すと、そちらに切り替わります。",
    "tensors.cut": "大きいので、先頭の {shown} の部分だけを表示しています（全体の形は {shape}）。",
    "tensors.op.index": "インデックス・スライス",
    "tensors.index_expr": "インデックス（例：0, 1:　や　:, -1　や　..., ::2）",
    "tensors.new_shape": "新しい形（-1 は「残りから自動で決める」）",
    "tensors.method": "方法",
    "tensors.reshape_help": (
        "要素数が変わらない形にだけ変えられます。`view` はメモリの並びをそのまま使うので、"
        "転置した後など連続していないテンソルでは失敗します。`reshape` は必要ならコピーします。"
    ),
    "tensors.other": "y（空欄なら x 自身）",
    "tensors.other_mul": "y（空欄なら x 自身）",
    "tensors.other_matmul": "y（空欄なら x の転置 x.mT）",
    "tensors.other_ph": "例：[[7, 8, 9]]",
    "tensors.join_help": "`cat` は既存の次元に沿ってつなぎ（その次元が伸びる）、`stack` は新しい次元を作って積み重ねます（形がすべて同じ必要があります）。",
    "tensors.mul_help": "`*` は同じ位置の要素どうしの積（ブロードキャストあり）、`@` は行列の積（x の列数 = y の行数が必要）。",
    "tensors.all_dims": "すべて",
    "tensors.err.reshape": "要素数が合いません。新しい形の各次元の積が元の要素数と同じになるようにしてください（-1 は 1 つだけ使えます）。`view` なら連続していないテンソルでも失敗します。",
    "tensors.err.matmul": "行列の積 x @ y では、x の最後の次元（列数）と y の最後から 2 番目の次元（行数）が同じでなければなりません。",
    "tensors.err.size": "つなぐ次元以外の大きさが一致していません（stack ではすべての次元が同じ必要があります）。",
    "tensors.err.dim": "指定した次元（dim）がテンソルの次元数の範囲外です。n 次元なら -n〜n-1（unsqueeze は n まで）です。",
    "tensors.err.index": "インデックスが範囲外です。大きさ n の次元で使えるのは 0〜n-1（負なら -n〜-1）です。",
    "tensors.err.dtype": "この dtype ではできない計算です（例：整数の平均、bool の掛け算）。float32 を選んでください。",
    "tensors.err.ragged": "リストの長さがそろっていません。テンソルは各行の要素数が同じ「四角い」配列でなければなりません。",
    "tensors.err.other": "PyTorch がこの操作を受け付けませんでした。下のメッセージを確認してください。",
    "tensors.err.scalar": "0 次元のテンソル（ただの数、スカラー）には、この操作はできません。x を 1 次元以上のテンソル（例：[1, 2, 3]）にしてください。",
    "tensors.err.rule_mul": (
        "`x * y` は同じ位置の要素どうしの積です。形を右端でそろえたとき、各次元の大きさが "
        "**同じか、どちらかが 1** でなければなりません（ブロードキャストの規則）。"
        "x {x} と y {y} には、この規則に合わない次元があります。"
    ),
    "tensors.err.rule_matmul": (
        "`x @ y` は行列の積です。x の最後の次元（列数）と、y の最後から 2 番目の次元（行数。y が 1 次元ならその長さ）が"
        "同じでなければなりません。x {x} と y {y} では、この 2 つが違います。"
    ),
    "tensors.err.rule_cat": (
        "`torch.cat` は既存の次元（dim）に沿ってつなぎます。x と y は次元数が同じで、"
        "つなぐ次元以外の大きさがすべて同じでなければなりません。x {x} と y {y} はそうなっていません。"
    ),
    "tensors.err.rule_stack": (
        "`torch.stack` は新しい次元を作って積み重ねるので、x と y の形がまったく同じでなければなりません。"
        "x {x} と y {y} は形が違います。"
    ),
    "tensors.perr.empty": "値が空です。",
    "tensors.perr.too_long": "入力が長すぎます（2,000 文字まで）。",
    "tensors.perr.syntax": "書き方が正しくありません。例：[[1, 2], [3, 4]]（かっこと , の対応を確認してください）。",
    "tensors.perr.not_number": "使えるのは数値・True/False・リスト [ ] だけです（変数名や関数呼び出しは実行しません）。",
    "tensors.perr.too_deep": "入れ子が深すぎます（8 段まで）。",
    "tensors.perr.shape_syntax": "形は整数をカンマで区切って書いてください。例：2, 3",
    "tensors.perr.too_many_dims": "次元は 6 つまでにしてください。",
    "tensors.perr.negative_dim": "形に負の数は使えません（reshape / view の -1 だけは使えます）。",
    "tensors.perr.too_big": (
        "要素が多すぎます。形 {shape} のテンソルは要素が {n:,} 個になりますが、このページで作れるのは "
        "{limit:,} 個までです。もっと小さい形にしてください（torch.eye(n) は n×n 個になります）。"
    ),
    "tensors.perr.too_big_count": "要素が多すぎます。この start・end・step では個数がけた外れに大きくなります（このページで作れるのは {limit:,} 個までです）。",
    "tensors.perr.bc_too_big": "値の例は、要素数が {limit} 個までの形のときだけ表示します（形 {shape} は {n:,} 個です）。",
    "tensors.perr.not_finite": "{name} が無限大（inf）か非数（nan）になっています。ふつうの大きさの数を入れてください。",
    "tensors.perr.number_range": (
        "数が大きすぎます（1e999 は無限大 inf になり、けたの多すぎる整数はどの dtype にも入りません）。"
        "ふつうの大きさの数にしてください。"
    ),
    "tensors.perr.index_syntax": "インデックスは整数・スライス（1:3、::2）・...・None をカンマで区切って書いてください。",
    "tensors.perr.eye_shape": "torch.eye の形は n または n, m です。",
    "tensors.broadcast": "ブロードキャスト",
    "tensors.broadcast_rule": (
        "形の違うテンソルどうしの演算では、形を **右端でそろえ**、短い方の左に 1 を補います。"
        "各次元の大きさが **同じか、どちらかが 1** なら、1 の側が引き伸ばされて計算できます。"
    ),
    "tensors.shape_a": "a の形",
    "tensors.shape_b": "b の形",
    "tensors.bc_aligned": "a {a} と b {b} を右端でそろえると：a → {pa}、b → {pb}",
    "tensors.bc_out": "結果",
    "tensors.bc_rule": "規則",
    "tensors.bc.equal": "同じ大きさ",
    "tensors.bc.stretch_a": "a の 1 を引き伸ばす",
    "tensors.bc.stretch_b": "b の 1 を引き伸ばす",
    "tensors.bc.clash": "どちらも 1 でなく大きさが違う → 計算できない",
    "tensors.bc_ok": "ブロードキャストできます。結果の形は {shape} です。",
    "tensors.bc_fail": "次元 {dim} で大きさが合わないため、ブロードキャストできません。PyTorch のメッセージ：",
    "tensors.bc_big": "（2 次元までの例だけ値を表示します。）",
    "tensors.autograd": "自動微分（autograd）",
    "tensors.autograd_intro": (
        "`requires_grad=True` のテンソル w, b で y = w²·x + b を計算すると、PyTorch は計算グラフを記録します。"
        "`y.backward()` でグラフを逆にたどり、`w.grad` と `b.grad` に勾配が入ります。手計算の結果と比べてみましょう。"
    ),
    "tensors.backward_again": "もう一度 backward()",
    "tensors.zero_grad": "勾配をリセット",
    "tensors.hand_w": "手計算：2·w·x = {v:.3f}",
    "tensors.hand": "手計算：∂y/∂w = 2wx = **{hw:.3f}**、∂y/∂b = **{hb:.0f}**。backward() を {calls} 回呼んだ後の autograd：w.grad = **{w:.3f}**、b.grad = **{b:.3f}**。",
    "tensors.accumulated": (
        "backward() を {calls} 回呼んだので、勾配が **足し合わされて**（累積して）{calls} 倍になっています。"
        "だから学習ループでは毎回 `optimizer.zero_grad()` で勾配をリセットします。"
    ),
    "tensors.graph_caption": "計算グラフ（grad_fn の連なり）。青い箱が勾配を受け取る葉（w, b）、白い角丸の箱が逆伝播で通る関数です。x は requires_grad=False なので現れません。",
    "tensors.nograd_title": "no_grad と detach：記録しない計算",
    "tensors.nograd": (
        "- `y = w * x` → requires_grad = **{req}**、grad_fn = `{fn}`\n"
        "- `with torch.no_grad(): y = w * x` → requires_grad = **{nreq}**（記録しない。推論や評価で使う）\n"
        "- `y.detach()` → requires_grad = **{dreq}**（グラフから切り離した同じ値）"
    ),
    "tensors.activations": "活性化関数",
    "tensors.activations_intro": "左が関数 f(z)、右がその微分 f'(z) です。微分は autograd（`torch.autograd.grad`）で計算しています。",
    "tensors.act_pick": "表示する関数",
    "tensors.act.sigmoid": "Sigmoid",
    "tensors.act.tanh": "tanh",
    "tensors.act.relu": "ReLU",
    "tensors.act.leaky_relu": "LeakyReLU (0.1)",
    "tensors.act.gelu": "GELU",
    "tensors.vanishing_title": "勾配消失：なぜ ReLU がよく使われるのか",
    "tensors.vanishing": (
        "**勾配消失**：Sigmoid の微分は最大でも 0.25、tanh も |z| が大きいと 0 に近づきます。"
        "層を重ねると逆伝播で小さな値が掛け合わされ、入力に近い層の勾配がほぼ 0 になって学習が進みません。"
        "ReLU は z > 0 で微分が 1 なので、深いネットワークでも勾配が届きます。"
    ),
    "tensors.loop": "はじめての学習ループ",
    "tensors.loop_intro": (
        "ノイズを含む点から直線 y = 2x + 1 を学習します。w = b = 0 から始め、SGD で "
        "zero_grad → 損失（MSE）→ backward → step を繰り返します。学習率を大きくしすぎると発散する様子も見てみましょう。"
    ),
    "tensors.lr": "学習率",
    "tensors.epochs": "エポック数",
    "tensors.noise": "ノイズの大きさ",
    "tensors.fit": "学習する",
    "tensors.loop_code": "このループのコード",
    "tensors.points": "データ",
    "tensors.learned": "学習した直線",
    "tensors.learned_wb": "学習結果：w = {w:.3f}、b = {b:.3f}（正解は 2 と 1）、損失 {loss:.4f}",
    "tensors.diverged": "エポック {epoch} で損失が発散しました（学習率 {lr} が大きすぎて、更新のたびに行き過ぎています）。学習率を下げてください。",
    "tensors.device": "デバイス（CPU と GPU）",
    "tensors.device_intro": "テンソルは `.to(device)` で GPU に移せます。このサーバーで使っているデバイス：**{device}**",
    "tensors.matmul_n": "行列の大きさ n（n×n の行列積）",
    "tensors.time": "行列積の時間を測る",
    "tensors.cpu_time": "CPU",
    "tensors.gpu_time": "GPU（{device}）",
    "tensors.no_gpu": "このサーバーには GPU がないため、CPU の時間だけを表示します。",
}

EN = {
    "nav.tensors": "Tensors",
    "home.blurb.tensors": "Create and reshape tensors; see broadcasting and autograd at work",
    "tensors.title": "Tensors: the ABC of PyTorch",
    "tensors.lead": (
        "A **tensor** is a multi-dimensional array (0-D a scalar, 1-D a vector, 2-D a matrix). "
        "Choose how to make one and its values: the tensor appears right below."
    ),
    "tensors.about": "What this page covers",
    "tensors.intro": (
        "Make tensors, reshape, join and multiply them; compute with tensors of different shapes "
        "(broadcasting), let autograd find gradients, compare activation functions, run a first training loop "
        "and time the GPU. Values and lists you type here are never run as Python; they are read safely as "
        "numbers."
    ),
    "tensors.values_help": "Only numbers, True/False and [ ] are read. Nothing is ever run as Python.",
    "tensors.create": "Create a tensor",
    "tensors.creator": "Creator",
    "tensors.values": "Values (a list)",
    "tensors.shape": "Shape, e.g. 2, 3",
    "tensors.info": "`{name}`: shape **{shape}** · {ndim} dims · dtype **{dtype}** · device **{device}** · {numel} elements",
    "tensors.slice_dim": "Index in dim {dim}",
    "tensors.slice": "More than 2 dimensions: showing the 2-D slice `{name}[{idx}]`.",
    "tensors.operate": "Operate on tensors",
    "tensors.fallback": "The tensor above could not be made, so `torch.arange(6.).reshape(2, 3)` is used instead.",
    "tensors.operate_on": "Operations on the tensor x made above (shape {shape}).",
    "tensors.operate_on_fallback": "Operations on the stand-in x (shape {shape}). Fix the tensor above and they use it instead.",
    "tensors.cut": "Large: only the first {shown} part is shown (the whole shape is {shape}).",
    "tensors.op.index": "Indexing and slicing",
    "tensors.index_expr": "Index (e.g. 0, 1:   or   :, -1   or   ..., ::2)",
    "tensors.new_shape": "New shape (-1: work this size out)",
    "tensors.method": "Method",
    "tensors.reshape_help": (
        "Only shapes with the same number of elements fit. `view` reuses the memory layout, so it fails on "
        "non-contiguous tensors (e.g. after a transpose); `reshape` copies when it must."
    ),
    "tensors.other": "y (empty: x itself)",
    "tensors.other_mul": "y (empty: x itself)",
    "tensors.other_matmul": "y (empty: x transposed, x.mT)",
    "tensors.other_ph": "e.g. [[7, 8, 9]]",
    "tensors.join_help": "`cat` joins along an existing dimension (it grows); `stack` adds a new dimension (all shapes must be equal).",
    "tensors.mul_help": "`*` multiplies matching elements (with broadcasting); `@` is the matrix product (x's columns = y's rows).",
    "tensors.all_dims": "all",
    "tensors.err.reshape": "The number of elements does not match. The product of the new sizes must equal the old number of elements (at most one -1). `view` also fails on non-contiguous tensors.",
    "tensors.err.matmul": "For x @ y, the last dimension of x (its columns) must equal the second-to-last of y (its rows).",
    "tensors.err.size": "The sizes differ in a dimension other than the one you join along (stack needs all sizes equal).",
    "tensors.err.dim": "That dim is outside the tensor's dimensions. An n-D tensor has dims -n … n-1 (unsqueeze allows up to n).",
    "tensors.err.index": "The index is out of range. A dimension of size n takes 0 … n-1 (or -n … -1).",
    "tensors.err.dtype": "This operation does not work for that dtype (e.g. the mean of integers, multiplying bools). Choose float32.",
    "tensors.err.ragged": "The rows have different lengths. A tensor must be a 'rectangular' array: every row the same length.",
    "tensors.err.other": "PyTorch refused this operation; see its message below.",
    "tensors.err.scalar": "A 0-D tensor (a plain number, a scalar) cannot do this. Make x a tensor of at least 1 dimension, e.g. [1, 2, 3].",
    "tensors.err.rule_mul": (
        "`x * y` multiplies matching elements. Aligned on the right, the sizes in each dimension must be "
        "**equal, or one of them 1** (the broadcasting rule). x {x} and y {y} break it in some dimension."
    ),
    "tensors.err.rule_matmul": (
        "`x @ y` is the matrix product. The last dimension of x (its columns) must equal the second-to-last of "
        "y (its rows; its length if y is 1-D). For x {x} and y {y} these two differ."
    ),
    "tensors.err.rule_cat": (
        "`torch.cat` joins along an existing dimension (dim). x and y need the same number of dimensions and "
        "equal sizes in every dimension but that one. x {x} and y {y} do not."
    ),
    "tensors.err.rule_stack": (
        "`torch.stack` adds a new dimension and piles x and y along it, so their shapes must be exactly equal. "
        "x {x} and y {y} differ."
    ),
    "tensors.perr.empty": "The value is empty.",
    "tensors.perr.too_long": "The input is too long (2,000 characters at most).",
    "tensors.perr.syntax": "That is not well formed. Example: [[1, 2], [3, 4]] (check the brackets and commas).",
    "tensors.perr.not_number": "Only numbers, True/False and lists [ ] are allowed (names and function calls are not run).",
    "tensors.perr.too_deep": "Nested too deeply (8 levels at most).",
    "tensors.perr.shape_syntax": "Write a shape as whole numbers separated by commas, e.g. 2, 3",
    "tensors.perr.too_many_dims": "Use at most 6 dimensions.",
    "tensors.perr.negative_dim": "A shape cannot have negative sizes (only reshape/view accept -1).",
    "tensors.perr.too_big": (
        "Too many elements: a tensor of shape {shape} holds {n:,} elements, and this page makes at most "
        "{limit:,}. Choose a smaller shape (torch.eye(n) holds n×n)."
    ),
    "tensors.perr.too_big_count": "Too many elements: with this start, end and step the count is astronomically large (this page makes at most {limit:,}).",
    "tensors.perr.bc_too_big": "Values are shown only for shapes of up to {limit} elements (shape {shape} has {n:,}).",
    "tensors.perr.not_finite": "{name} is infinite (inf) or not a number (nan). Type an ordinary number.",
    "tensors.perr.number_range": (
        "A number is too large (1e999 reads as infinity, and an integer of that many digits fits no dtype). "
        "Use numbers of an ordinary size."
    ),
    "tensors.perr.index_syntax": "Write an index as integers, slices (1:3, ::2), ... or None separated by commas.",
    "tensors.perr.eye_shape": "torch.eye takes n or n, m.",
    "tensors.broadcast": "Broadcasting",
    "tensors.broadcast_rule": (
        "When shapes differ, they are **aligned on the right** and the shorter one is padded with 1s on the "
        "left. In each dimension the sizes must be **equal, or one of them 1**; a 1 is stretched to match."
    ),
    "tensors.shape_a": "Shape of a",
    "tensors.shape_b": "Shape of b",
    "tensors.bc_aligned": "a {a} and b {b} aligned on the right: a → {pa}, b → {pb}",
    "tensors.bc_out": "result",
    "tensors.bc_rule": "rule",
    "tensors.bc.equal": "same size",
    "tensors.bc.stretch_a": "stretch a's 1",
    "tensors.bc.stretch_b": "stretch b's 1",
    "tensors.bc.clash": "different, neither is 1 → fails",
    "tensors.bc_ok": "These broadcast. The result has shape {shape}.",
    "tensors.bc_fail": "The sizes clash in dim {dim}, so they do not broadcast. PyTorch says:",
    "tensors.bc_big": "(Values are shown for examples of up to 2 dimensions.)",
    "tensors.autograd": "Autograd",
    "tensors.autograd_intro": (
        "Compute y = w²·x + b with tensors w, b that have `requires_grad=True`, and PyTorch records a "
        "computation graph. `y.backward()` walks it backwards and fills `w.grad` and `b.grad`. Compare with the "
        "hand calculation."
    ),
    "tensors.backward_again": "Call backward() again",
    "tensors.zero_grad": "Reset gradients",
    "tensors.hand_w": "By hand: 2·w·x = {v:.3f}",
    "tensors.hand": "By hand: ∂y/∂w = 2wx = **{hw:.3f}**, ∂y/∂b = **{hb:.0f}**. Autograd after {calls} backward() call(s): w.grad = **{w:.3f}**, b.grad = **{b:.3f}**.",
    "tensors.accumulated": (
        "backward() ran {calls} times, so the gradients were **added up** (accumulated): {calls}× the value. "
        "That is why a training loop calls `optimizer.zero_grad()` every step."
    ),
    "tensors.graph_caption": "The computation graph (the grad_fn chain). Blue boxes are leaves that receive .grad (w, b); white rounded boxes are the functions backpropagation passes. x has requires_grad=False, so it is not in it.",
    "tensors.nograd_title": "no_grad and detach: computing without recording",
    "tensors.nograd": (
        "- `y = w * x` → requires_grad = **{req}**, grad_fn = `{fn}`\n"
        "- `with torch.no_grad(): y = w * x` → requires_grad = **{nreq}** (nothing recorded: for inference and evaluation)\n"
        "- `y.detach()` → requires_grad = **{dreq}** (the same values, cut off from the graph)"
    ),
    "tensors.activations": "Activation functions",
    "tensors.activations_intro": "Left: the function f(z); right: its derivative f'(z), computed by autograd (`torch.autograd.grad`).",
    "tensors.act_pick": "Functions to show",
    "tensors.act.sigmoid": "Sigmoid",
    "tensors.act.tanh": "tanh",
    "tensors.act.relu": "ReLU",
    "tensors.act.leaky_relu": "LeakyReLU (0.1)",
    "tensors.act.gelu": "GELU",
    "tensors.vanishing_title": "Vanishing gradients: why ReLU is so common",
    "tensors.vanishing": (
        "**Vanishing gradients**: Sigmoid's derivative is at most 0.25, and tanh's goes to 0 for large |z|. "
        "Backpropagation multiplies these small numbers layer after layer, so the layers near the input get "
        "almost no gradient and stop learning. ReLU's derivative is 1 for z > 0, so gradients reach deep layers."
    ),
    "tensors.loop": "A first training loop",
    "tensors.loop_intro": (
        "Learn the line y = 2x + 1 from noisy points. Start at w = b = 0 and repeat zero_grad → loss (MSE) → "
        "backward → step with SGD. Try a learning rate so large that it diverges."
    ),
    "tensors.lr": "Learning rate",
    "tensors.epochs": "Epochs",
    "tensors.noise": "Noise",
    "tensors.fit": "Train",
    "tensors.loop_code": "The code of this loop",
    "tensors.points": "data",
    "tensors.learned": "learned line",
    "tensors.learned_wb": "Learned: w = {w:.3f}, b = {b:.3f} (the truth is 2 and 1), loss {loss:.4f}",
    "tensors.diverged": "The loss diverged at epoch {epoch}: learning rate {lr} is so large that each update overshoots. Lower it.",
    "tensors.device": "Devices (CPU and GPU)",
    "tensors.device_intro": "`.to(device)` moves a tensor to the GPU. Device used by this server: **{device}**",
    "tensors.matmul_n": "Matrix size n (an n×n matrix product)",
    "tensors.time": "Time the matrix product",
    "tensors.cpu_time": "CPU",
    "tensors.gpu_time": "GPU ({device})",
    "tensors.no_gpu": "This server has no GPU, so only the CPU time is shown.",
}
