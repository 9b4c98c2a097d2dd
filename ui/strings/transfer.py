"""Transfer learning page (primer 001, 7.3: reuse a trained network's features for a new task)."""

JA = {
    "nav.transfer": "転移学習",
    "home.blurb.transfer": "学習済みの CNN の特徴を新しいタスクに流用。ラベルが少ないとき、ゼロから学ぶのと比べてどれだけ得か",
    "transfer.title": "転移学習",
    "transfer.intro": (
        "学習済みネットワークの **特徴抽出部分（畳み込み層）** を新しいタスクに流用し、**分類層だけ** を"
        "入れ替えて学習します。ラベル付きの例が **クラスあたり k 個** しかないとき、"
        "ゼロから学習するのと比べてどれだけ正解率が上がるかを確かめましょう。"
    ),
    "transfer.task": "タスク（元 → 新）",
    "transfer.task.digits": "数字 0〜4 → 数字 5〜9",
    "transfer.task.digits8": "数字 0〜9 → 8×8 の小さな手書き数字",
    "transfer.task.fashion": "数字 0〜9 → 衣類（Fashion-MNIST）",
    "transfer.arms": "学習のしかた",
    "transfer.arm.scratch": "ゼロから",
    "transfer.arm.frozen": "凍結＋新しい分類層",
    "transfer.arm.finetune": "全層ファインチューニング",
    "transfer.labels": "クラスあたりのラベル数 k",
    "transfer.steps": "更新回数",
    "transfer.no_arms": "学習のしかたとラベル数を 1 つ以上選んでください。",
    "transfer.no_data": "このタスクのデータがサーバーにありません（{reason}）。もう一方のタスクを選んでください。",
    "transfer.no_source": "学習済みネットワークを読み込めません：{reason}",
    "transfer.chart_x": "クラスあたりのラベル数",
    "transfer.chart_y": "検証正解率",
    "transfer.chance": "当てずっぽう",
    "transfer.at_rest": "**学習開始** を押すと、3 つのやり方の正解率が 1 点ずつ描かれていきます。",
    "transfer.live_caption": "{runs} 回中 {done} 回が終了。最新：{arm}、k = {k} で正解率 {acc:.1%}",
    "transfer.table.arm": "学習のしかた",
    "transfer.table.k": "k",
    "transfer.table.acc": "検証正解率",
    "transfer.table.trainable": "学習するパラメータ数",
    "transfer.table.seconds": "秒",
    "transfer.gain": "k = {k} では、よいほうの転移（{arm}）がゼロからより **{gain:+.1f} ポイント** 高い正解率でした。",
    "transfer.why": (
        "**どこで差が大きいか**：MNIST の数字はゼロからでも少ない例で学べるので、0〜4 → 5〜9 の差は数ポイントです。"
        "差がいちばんはっきり出るのは **8×8 の小さな数字**（別の人が別の解像度で書いた同じ 10 個の数字）で、"
        "数字の特徴がそのまま役立ちます。衣類のように **分野が離れる** と、差は小さくなります。"
        "5 つの乱数シードでの測定値は bench/README.md にあります。"
    ),
    "transfer.freeze_title": "凍結とはコードで何をすることか",
    "transfer.freeze_text": (
        "凍結は **`requires_grad = False`** の 1 行です。勾配が計算されなくなり、オプティマイザには"
        "分類層のパラメータだけを渡します。ファインチューニングでは全層を渡しますが、"
        "**パラメータグループ** で特徴抽出部分の学習率を 10 分の 1 にします。"
    ),
    "transfer.freeze_table.group": "オプティマイザのグループ",
    "transfer.freeze_table.params": "パラメータ数",
    "transfer.freeze_table.lr": "学習率",
    "transfer.freeze_counts": "このネットワークの全パラメータ {total:,} 個のうち、凍結すると学習するのは {trainable:,} 個（{pct:.0%}）です。",
    "transfer.freeze_note": (
        "この小さな CNN では、パラメータの大半が分類層の全結合（800→256）にあります。"
        "ResNet-18 なら学習するのは最後の fc 層の 5,130 個だけ（全体の 0.05%）です。"
    ),
    "transfer.group.all": "全層",
    "transfer.group.head": "分類層",
    "transfer.group.body": "特徴抽出部分",
    "transfer.bn_title": "BatchNorm の落とし穴",
    "transfer.bn_text": (
        "`requires_grad=False` で凍結しても、**train モードのままでは BatchNorm の running_mean が"
        "新しいデータで書き換わります**（統計は順伝播のたびに更新され、勾配とは関係ありません）。"
        "対策は凍結した部分を **`body.eval()`** にすることです。下の数字は、元の数字で統計を取った "
        "BatchNorm に新しいタスクの 20 バッチを流したときの running_mean（最初の 4 チャネル）です。"
    ),
    "transfer.bn_show": "数字で確かめる",
    "transfer.bn.when": "タイミング",
    "transfer.bn.before": "凍結した直後",
    "transfer.bn.after_train": "train モードで 20 バッチ後",
    "transfer.bn.after_eval": "body.eval() で 20 バッチ後",
    "transfer.bn.channel": "チャネル {c}",
    "transfer.bn_result": "学習するパラメータは {trainable} 個なのに、train モードでは running_mean が最大 {train:.3f} 動き、eval モードでは {eval:.3f} でした。",
    "transfer.resnet_title": "教材の ResNet-18 を使うには",
    "transfer.resnet_text": (
        "教材のコードは ImageNet で学習済みの ResNet-18 を使います。このラボはインターネットに出ないので、"
        "重みを自動でダウンロードすることはありません。先生が torchvision の重みファイル"
        "（例：`resnet18-f37072fd.pth`）を `data/` に置くと、下のコードがそのまま動きます。"
    ),
    "transfer.resnet_missing": "data/ に ResNet-18 の重みファイルはありません。",
    "transfer.resnet_found": "見つかったファイル：{file}",
    "transfer.resnet_build": "ResNet-18 を読み込む",
    "transfer.resnet_counts": "全パラメータ {total:,} 個のうち、学習するのは新しい fc 層の {trainable:,} 個です。",
    "transfer.resnet_error": "重みファイルを読み込めませんでした（{error}）。torchvision の ResNet-18 のファイルか確かめてください。",
    "transfer.symbols_title": "自分の記号で転移学習（Teachable Machine）",
    "transfer.symbols_text": (
        "○ △ × など、自分で決めた記号を 2〜5 種類、それぞれ 10〜20 個描いて名前をつけます。"
        "学習済み CNN の特徴の上に新しい分類層だけを学習し、同じネットワークをゼロから学習したものと比べます。"
        "4 個に 1 個は学習に使わず、正解率の確認に取っておきます。"
    ),
    "transfer.symbols_name": "記号の名前",
    "transfer.symbols_class": "描く記号",
    "transfer.symbols_add": "この記号として追加",
    "transfer.symbols_clear": "キャンバスを消す",
    "transfer.symbols_reset": "描いたものをすべて消す",
    "transfer.symbols_share": "クラスへの挑戦状：描いた記号をクラスボードに出しましょう。モデルが見分けられない記号を描けるでしょうか。",
    "transfer.symbols_counts": "{name}：{n} 個",
    "transfer.symbols_full": "この記号はもう {max} 個あります。",
    "transfer.symbols_blank": "キャンバスに何も描かれていません。",
    "transfer.symbols_need": "学習には、2 種類以上の記号をそれぞれ 4 個以上描いてください。",
    "transfer.symbols_train": "記号で学習",
    "transfer.symbols_read": "読み取り結果：{name}（{p:.0%}）",
    "transfer.symbols_try": "新しく描いて読み取らせる",
    "transfer.symbols_default": "記号 {i}",
    "transfer.code_caption": "この学習をそのまま再現する train.py です（ダウンロードして手元で動かせます）。",
    "transfer.download": "train.py をダウンロード",
    "transfer.q1": "問 1：凍結した層の重みが学習で変わらないのはなぜですか。",
    "transfer.a1": (
        "`requires_grad=False` にすると、その層のパラメータには勾配が計算されず（`.grad` は None のまま）、"
        "オプティマイザにも渡していないので、更新されません。"
    ),
    "transfer.q2": "問 2：ラベルが 50 個あると、ゼロからとの差が小さくなるのはなぜですか。",
    "transfer.a2": (
        "例が多ければ、ゼロからでも畳み込み層が数字の特徴（線の向き、曲がり）を自分で学べるからです。"
        "転移学習がいちばん効くのはラベルが少ないときです。"
    ),
    "transfer.q3": "問 3：全層ファインチューニングで特徴抽出部分の学習率を小さくするのはなぜですか。",
    "transfer.a3": (
        "大きな学習率だと、新しい分類層がまだでたらめなうちの大きな勾配で、せっかく学習した特徴が"
        "壊れてしまうからです。小さな学習率なら特徴を少しずつ新しいタスクに合わせられます。"
    ),
    "transfer.q4": "問 4：BatchNorm を含む部分を凍結したのに、モデルの出力が変わってしまいました。なぜですか。",
    "transfer.a4": (
        "train モードのままだと、BatchNorm の running_mean と running_var が新しいデータで更新されるからです。"
        "凍結した部分は `.eval()` にします（`model.train()` を呼ぶたびに戻るので、その後に呼びます）。"
    ),
    "transfer.q5": "問 5：数字で学習した特徴は、衣類の分類にも役立ちますか。",
    "transfer.a5": (
        "少しは役立ちます（線や輪郭の検出は共通です）が、数字 0〜4 → 5〜9 ほどではありません。"
        "元のタスクと新しいタスクが似ているほど、特徴はよく転移します。"
    ),
}

EN = {
    "nav.transfer": "Transfer learning",
    "home.blurb.transfer": "Reuse a trained CNN's features for a new task: how much it gains over training from scratch with few labels",
    "transfer.title": "Transfer learning",
    "transfer.intro": (
        "Reuse a trained network's **feature extractor (the conv layers)** for a new task and train **only a "
        "new classifier**. With just **k labelled examples per class**, how much better is it than training "
        "from scratch?"
    ),
    "transfer.task": "Task (source → target)",
    "transfer.task.digits": "Digits 0–4 → digits 5–9",
    "transfer.task.digits8": "Digits 0–9 → small 8×8 handwritten digits",
    "transfer.task.fashion": "Digits 0–9 → clothes (Fashion-MNIST)",
    "transfer.arms": "How to train",
    "transfer.arm.scratch": "From scratch",
    "transfer.arm.frozen": "Frozen + new head",
    "transfer.arm.finetune": "Fine-tune all layers",
    "transfer.labels": "Labels per class k",
    "transfer.steps": "Updates",
    "transfer.no_arms": "Choose at least one way to train and one label count.",
    "transfer.no_data": "This task's data is not on the server ({reason}). Choose the other task.",
    "transfer.no_source": "The pretrained network cannot be loaded: {reason}",
    "transfer.chart_x": "Labels per class",
    "transfer.chart_y": "Validation accuracy",
    "transfer.chance": "Chance",
    "transfer.at_rest": "Press **Train**: the three ways' accuracies are drawn point by point.",
    "transfer.live_caption": "{done} of {runs} runs done. Latest: {arm}, k = {k}, accuracy {acc:.1%}",
    "transfer.table.arm": "How",
    "transfer.table.k": "k",
    "transfer.table.acc": "Validation accuracy",
    "transfer.table.trainable": "Trainable parameters",
    "transfer.table.seconds": "s",
    "transfer.gain": "At k = {k}, the better transfer ({arm}) was **{gain:+.1f} points** above scratch.",
    "transfer.why": (
        "**Where the gap is large**: MNIST digits are learned from few examples even from scratch, so 0–4 → "
        "5–9 gains a few points. The gap is clearest on the **small 8×8 digits** (the same ten digits, other "
        "hands, another resolution), where digit features carry over as they are. When the domains are far "
        "apart (clothes), it shrinks. Figures over 5 seeds: bench/README.md."
    ),
    "transfer.freeze_title": "What freezing means in code",
    "transfer.freeze_text": (
        "Freezing is one line, **`requires_grad = False`**: no gradient is computed, and only the head's "
        "parameters go to the optimizer. Fine-tuning hands over every layer, in two **parameter groups**, "
        "the feature extractor with a learning rate ten times smaller."
    ),
    "transfer.freeze_table.group": "Optimizer group",
    "transfer.freeze_table.params": "Parameters",
    "transfer.freeze_table.lr": "Learning rate",
    "transfer.freeze_counts": "Of this network's {total:,} parameters, {trainable:,} train when frozen ({pct:.0%}).",
    "transfer.freeze_note": (
        "In this small CNN most parameters sit in the head's dense layer (800→256). In ResNet-18 only the "
        "last fc layer's 5,130 train (0.05% of all)."
    ),
    "transfer.group.all": "all layers",
    "transfer.group.head": "head",
    "transfer.group.body": "feature extractor",
    "transfer.bn_title": "The BatchNorm trap",
    "transfer.bn_text": (
        "Frozen with `requires_grad=False`, a body **in train mode still rewrites BatchNorm's running_mean "
        "with the new data** (the statistics update in every forward pass, gradients or not). The cure: "
        "**`body.eval()`** for the frozen part. Below: the running_mean (first 4 channels) of a BatchNorm "
        "fitted on the source digits, after 20 batches of the new task."
    ),
    "transfer.bn_show": "Show the numbers",
    "transfer.bn.when": "When",
    "transfer.bn.before": "Right after freezing",
    "transfer.bn.after_train": "After 20 batches, train mode",
    "transfer.bn.after_eval": "After 20 batches, body.eval()",
    "transfer.bn.channel": "Channel {c}",
    "transfer.bn_result": "{trainable} trainable parameters, yet in train mode running_mean moved by up to {train:.3f}; in eval mode by {eval:.3f}.",
    "transfer.resnet_title": "Using the primer's ResNet-18",
    "transfer.resnet_text": (
        "The primer uses ResNet-18 pretrained on ImageNet. The lab is offline and never downloads weights by "
        "itself. When the teacher puts torchvision's weights file (e.g. `resnet18-f37072fd.pth`) in `data/`, "
        "the code below runs as it is."
    ),
    "transfer.resnet_missing": "No ResNet-18 weights file in data/.",
    "transfer.resnet_found": "Found: {file}",
    "transfer.resnet_build": "Load ResNet-18",
    "transfer.resnet_counts": "Of {total:,} parameters, {trainable:,} train: the new fc layer's.",
    "transfer.resnet_error": "The weights file could not be read ({error}). Is it torchvision's ResNet-18 file?",
    "transfer.symbols_title": "Your own symbols (Teachable Machine)",
    "transfer.symbols_text": (
        "Draw 2–5 symbols of your own (○ △ ×, letters), 10–20 of each, and name them. A new head trains on "
        "the pretrained CNN's features, against the same network from scratch. One drawing in four is held "
        "out to measure accuracy."
    ),
    "transfer.symbols_name": "Symbol name",
    "transfer.symbols_class": "Symbol to draw",
    "transfer.symbols_add": "Add as this symbol",
    "transfer.symbols_clear": "Clear the canvas",
    "transfer.symbols_reset": "Delete all drawings",
    "transfer.symbols_share": "Class challenge: put your symbols on the class board. Can the class draw symbols a model cannot tell apart?",
    "transfer.symbols_counts": "{name}: {n}",
    "transfer.symbols_full": "This symbol already has {max} drawings.",
    "transfer.symbols_blank": "The canvas is empty.",
    "transfer.symbols_need": "To train, draw at least 2 symbols, at least 4 of each.",
    "transfer.symbols_train": "Train on my symbols",
    "transfer.symbols_read": "Read as: {name} ({p:.0%})",
    "transfer.symbols_try": "Draw a new one to read",
    "transfer.symbols_default": "Symbol {i}",
    "transfer.code_caption": "A train.py that reproduces this run (download it and run it at home).",
    "transfer.download": "Download train.py",
    "transfer.q1": "Q1: Why do frozen layers' weights not change during training?",
    "transfer.a1": (
        "With `requires_grad=False` no gradient is computed for them (`.grad` stays None), and they are not "
        "handed to the optimizer, so nothing updates them."
    ),
    "transfer.q2": "Q2: Why is the gap to scratch smaller with 50 labels per class?",
    "transfer.a2": (
        "With many examples the conv layers learn the digits' features (stroke directions, curves) from "
        "scratch too. Transfer helps most when labels are few."
    ),
    "transfer.q3": "Q3: Why does fine-tuning use a small learning rate for the feature extractor?",
    "transfer.a3": (
        "A large one lets the big gradients of a still-random head wreck the learned features; a small one "
        "adapts them gently to the new task."
    ),
    "transfer.q4": "Q4: You froze a part with BatchNorm, yet the model's outputs changed. Why?",
    "transfer.a4": (
        "In train mode BatchNorm updates running_mean and running_var with the new data. Put the frozen part "
        "in `.eval()` (after every `model.train()`, which switches it back)."
    ),
    "transfer.q5": "Q5: Do features learned on digits help classify clothes?",
    "transfer.a5": (
        "A little (edge and outline detectors are shared), but less than for digits 0–4 → 5–9. The closer "
        "the source task to the target, the better the features carry over."
    ),
}
