"""XOR page (course 000, Part 1, 1.4)."""

JA = {
    "nav.xor": "XOR",
    "home.blurb.xor": "AND・OR・XOR を学ぶ小さなネットワーク。線形モデルとの違いを見る",
    "xor.title": "XOR をネットワークで解く",
    "xor.intro": "XOR は直線 1 本では分けられません。ネットワークが境界を曲げる様子を見ましょう。",
    "xor.about": (
        "論理回路は 0 か 1 の 2 つの入力から 1 つの出力を決めます。AND・OR・NAND は **1 本の直線** で "
        "0 と 1 を分けられますが、XOR は分けられません。隠れ層をもつニューラルネットワーク（多層パーセプトロン）"
        "なら、複数の直線を組み合わせて XOR も学習できます。このページのネットワークの既定値は、"
        "コースの演習（1.4.2）と同じ 2-2-2-1 です。"
    ),
    "xor.gates": "論理ゲートと真理値表",
    "xor.gates_caption": "x1, x2 が入力、y が正解（教師データ）です。XOR は「入力が異なるときだけ 1」。",
    "xor.builder": "モデルを組み立てる",
    "xor.gate": "ゲート",
    "xor.layers": "隠れ層の数",
    "xor.neurons": "層 {i} のニューロン",
    "xor.activation": "活性化関数",
    "xor.activation_help": "隠れ層の活性化関数です。出力層はいつも Sigmoid です。",
    "xor.act.sigmoid": "Sigmoid（コース）",
    "xor.act.tanh": "tanh",
    "xor.act.relu": "ReLU",
    "xor.optimizer": "最適化手法",
    "xor.opt.adam": "Adam（コース）",
    "xor.opt.sgd": "SGD",
    "xor.lr": "学習率",
    "xor.epochs": "エポック数",
    "xor.batch": "バッチサイズ",
    "xor.arch": (
        "ネットワーク：{arch}（入力 2 → 隠れ層 → 出力 1、出力は Sigmoid、損失は BCELoss）。"
        "既定値はコースと同じ 2-2-2-1・Sigmoid・Adam 学習率 0.05・1,000 エポック・バッチ 4 で、"
        "乱数シード {seed} なら XOR を 100% 正解します。シードによっては 50〜75% で止まることもあります"
        "（局所解）。シードを変えて試してみましょう。"
    ),
    "xor.speed": "再生の速さ",
    "xor.speed.full": "再生：全速",
    "xor.speed.fast": "再生：速く",
    "xor.speed.slow": "再生：ゆっくり",
    "xor.speed.slower": "再生：とてもゆっくり",
    "xor.speed_help": (
        "再生の速さは、1 エポックごとに止まる時間です（全速 0、速く 5、ゆっくり 15、とてもゆっくり 60 ミリ秒。"
        "1,000 エポックならそれぞれ約 1・6・16・60 秒）。学習中にも変えられます。"
    ),
    "xor.loss_empty": "「学習開始」を押すと、<br>損失の曲線が<br>ここに描かれます",
    "xor.map_title": "エポック {epoch} の決定境界",
    "xor.replay": "巻き戻して見る（エポック）",
    "xor.replay_help": (
        "学習中に記録した重み（最大 100 か所と最後のエポック）で、そのエポックの決定境界・真理値表・"
        "ネットワーク図を表示します。損失の図の点線がそのエポックです。"
    ),
    "xor.step": "1 エポック進む",
    "xor.reset": "リセット",
    "xor.stale": "設定が変わりました。「学習開始」で新しい設定の学習を始めます（表示中は前の設定のモデルです）。",
    "xor.epoch": "エポック",
    "xor.accuracy": "正解率",
    "xor.heatmap_caption": (
        "背景の色はネットワークの出力（青 = 0、赤 = 1）、黒い線が 0.5 の境界（決定境界）です。"
        "点は真理値表の 4 つの入力で、数字は正解、× は間違えている点です。"
    ),
    "xor.net_input": "ネットワーク図に流す入力",
    "xor.network_caption": (
        "入力 [{a}, {b}] を流したときの各ニューロンの出力（円の中の数字と色）と重み（線：赤 = 正、青 = 負、"
        "太さ = 大きさ）。線や円にカーソルを合わせると値が見えます。"
    ),
    "xor.layer_in": "入力層",
    "xor.layer_hidden": "隠れ層 {i}",
    "xor.layer_out": "出力層",
    "xor.col_target": "正解",
    "xor.col_output": "出力",
    "xor.col_pred": "予測",
    "xor.col_conf": "確信度",
    "xor.col_ok": "判定",
    "xor.inference": "推論（コースのスクリプトと同じ）",
    "xor.prediction": "予測値",
    "xor.confidence": "確信度",
    "xor.confidence_help": "Sigmoid の出力は {out:.4f}。0.5 より大きければ 1 と予測します。確信度は予測したクラスの確率です。",
    "xor.compare": "線形モデルとネットワークの比較",
    "xor.compare_intro": (
        "隠れ層のないモデル（入力 2 → 出力 1。線形モデル＋Sigmoid、つまりロジスティック回帰）と、"
        "上で組み立てたネットワークを、4 つのゲートそれぞれで同じ設定のまま学習させます。"
    ),
    "xor.compare_run": "4 つのゲートで比べる",
    "xor.linear": "隠れ層なし（直線 1 本）",
    "xor.network": "ネットワーク {arch}",
    "xor.compare_lesson": (
        "隠れ層のないモデルの境界は必ず 1 本の直線です。AND・OR・NAND は直線で分けられるので解けますが、"
        "XOR はどう引いても 4 点のうち少なくとも 1 点を間違えます（最高 75%）。"
        "隠れ層が直線を複数組み合わせることで、XOR を分ける曲がった境界が作れます。"
    ),
    "xor.stepview": "1 ステップの中身を数字で見る",
    "xor.stepview_intro": (
        "今のモデルで、真理値表 4 行を 1 つのバッチとして順伝播 → 損失 → 逆伝播（勾配）→ 重みの更新 を"
        "1 回だけ行い、その数字をすべて表示します（学習中のモデルは変えません）。"
    ),
    "xor.stepview_show": "数字を表示する",
    "xor.step_forward": "**順伝播**：各層で z = a·Wᵀ + b を計算し、活性化関数を通します（行 = 入力 [0,0], [0,1], [1,0], [1,1]）。",
    "xor.step_layer": "**層 {i}**（活性化関数：{act}）",
    "xor.step_loss": "**損失**（BCELoss、4 行の平均）：**{loss:.5f}**",
    "xor.step_backward": (
        "**逆伝播**：`loss.backward()` が各重みの勾配 ∂L/∂W を計算します（左）。"
        "`optimizer.step()` で更新した後の重みが右です。図の線にカーソルを合わせると勾配も見えます。"
    ),
    "xor.step_update_adam": (
        "Adam（学習率 {lr}）の最初の 1 歩は、勾配の向きと逆に各重みをほぼ学習率ぶんだけ動かします"
        "（m / √v が ±1 になるため）。更新後の損失：**{after:.5f}**"
    ),
    "xor.step_update_sgd": "SGD の更新：W ← W − 学習率 × ∂L/∂W（学習率 {lr}）。更新後の損失：**{after:.5f}**",
    "xor.code_caption": (
        "今の設定の PyTorch スクリプトです。単体で実行でき、同じシードならこのページと同じ損失・正解率になります。"
    ),
    "xor.download": "スクリプトをダウンロード（.py）",
    "xor.cli": "コマンドラインでは `python -m core.cli xor train --seed {seed}` で同じ学習ができます。",
    "xor.q1": "1. ニューラルネットワークは何をモデル化したものでしょうか？",
    "xor.a1": (
        "生物の神経細胞（ニューロン）の仕組みです。ニューロンを数理的に表したパーセプトロンは、入力 x に重み w と"
        "バイアス b で w·x + b を計算し、活性化関数を通して次へ伝えます。これを多層に重ねて、データのパターンを"
        "学習し、未知のデータに対して推論します。"
    ),
    "xor.q2": "2. 活性化関数の役割は何でしょうか？",
    "xor.a2": (
        "ニューロンがどの程度「発火」するか（情報を次の層に伝えるか）を決める **非線形** の関数です。"
        "これがないと層を重ねても 1 つの線形変換と同じになり、XOR は解けません。"
        "代表例は Sigmoid・tanh・ReLU で、今の深層学習では ReLU が広く使われています。"
    ),
    "xor.q3": "3. PyTorch における自動微分（autograd）の仕組みを簡単に説明してください。",
    "xor.a3": (
        "`requires_grad=True` のテンソル（nn.Module のパラメータは自動でそうなります）を使った計算は、"
        "計算グラフとして動的に記録されます。`loss.backward()` を呼ぶとグラフを逆にたどり（誤差逆伝播）、"
        "各パラメータの勾配を `.grad` に計算します。"
    ),
    "xor.q4": "4. 簡単な線形回帰モデルを学習する際、損失関数として何を用いるのが一般的ですか？",
    "xor.a4": "平均二乗誤差（MSE、`nn.MSELoss`）です。なお XOR のような 2 値分類では BCELoss を使います。",
    "xor.q5": "5. PyTorch でモデルを学習するとき、パラメータの更新処理に必要な関数を 2 つ挙げてください。",
    "xor.a5": (
        "`loss.backward()`（損失から各パラメータの勾配を計算）と `optimizer.step()`（勾配を使ってパラメータを更新）。"
        "その前に `optimizer.zero_grad()` で前回の勾配をリセットします。"
    ),
}

EN = {
    "nav.xor": "XOR",
    "home.blurb.xor": "A tiny network learns AND, OR and XOR — and a linear model cannot",
    "xor.title": "Solving XOR with a network",
    "xor.intro": "No single straight line separates XOR. Press Train and watch the network bend one.",
    "xor.about": (
        "A logic gate maps two inputs, each 0 or 1, to one output. AND, OR and NAND can be separated by "
        "**one straight line**; XOR cannot. A neural network with hidden layers (a multilayer perceptron) "
        "combines several lines and learns XOR too. The network on this page starts as the course's own "
        "2-2-2-1 (1.4.2)."
    ),
    "xor.gates": "Logic gates and their truth tables",
    "xor.gates_caption": "x1 and x2 are the inputs, y the answer (the training target). XOR is 1 only when the inputs differ.",
    "xor.builder": "Build the model",
    "xor.gate": "Gate",
    "xor.layers": "Hidden layers",
    "xor.neurons": "Neurons, layer {i}",
    "xor.activation": "Activation",
    "xor.activation_help": "The hidden layers' activation; the output layer is always a Sigmoid.",
    "xor.act.sigmoid": "Sigmoid (course)",
    "xor.act.tanh": "tanh",
    "xor.act.relu": "ReLU",
    "xor.optimizer": "Optimizer",
    "xor.opt.adam": "Adam (course)",
    "xor.opt.sgd": "SGD",
    "xor.lr": "Learning rate",
    "xor.epochs": "Epochs",
    "xor.batch": "Batch size",
    "xor.arch": (
        "Network: {arch} (2 inputs → hidden layers → 1 output; Sigmoid output, BCELoss). The defaults are the "
        "course's: 2-2-2-1, Sigmoid, Adam lr 0.05, 1,000 epochs, batch 4; with seed {seed} it gets XOR 100 % "
        "right. Some seeds stop at 50–75 % (a local minimum): try a few."
    ),
    "xor.speed": "Playback speed",
    "xor.speed.full": "Playback: full speed",
    "xor.speed.fast": "Playback: fast",
    "xor.speed.slow": "Playback: slow",
    "xor.speed.slower": "Playback: very slow",
    "xor.speed_help": (
        "The playback speed is a pause after each epoch: 0 at full speed, 5 ms fast, 15 ms slow, 60 ms very "
        "slow (1,000 epochs then take about 1, 6, 16 and 60 s). It can change while the network trains."
    ),
    "xor.loss_empty": "Press Train<br>and the loss curve<br>appears here",
    "xor.map_title": "Boundary at epoch {epoch}",
    "xor.replay": "Replay (epoch)",
    "xor.replay_help": (
        "The weights recorded during training (up to 100 epochs and the last) show the decision boundary, the "
        "truth table and the network drawing as they were at that epoch; the dotted line on the loss chart "
        "marks it."
    ),
    "xor.step": "One epoch",
    "xor.reset": "Reset",
    "xor.stale": "The settings changed. Train starts a run with the new settings (the model shown uses the old ones).",
    "xor.epoch": "Epoch",
    "xor.accuracy": "Truth-table accuracy",
    "xor.heatmap_caption": (
        "The background is the network's output (blue = 0, red = 1); the black line is the 0.5 decision boundary. "
        "The dots are the four inputs of the truth table, labelled with the answer; × marks a wrong one."
    ),
    "xor.net_input": "Input fed through the drawing",
    "xor.network_caption": (
        "Each neuron's output for input [{a}, {b}] (number and colour in the circle) and the weights (lines: red "
        "positive, blue negative, width = size). Hover a line or a circle to read its values."
    ),
    "xor.layer_in": "Input",
    "xor.layer_hidden": "Hidden {i}",
    "xor.layer_out": "Output",
    "xor.col_target": "answer",
    "xor.col_output": "output",
    "xor.col_pred": "prediction",
    "xor.col_conf": "confidence",
    "xor.col_ok": "right?",
    "xor.inference": "Inference (as in the course script)",
    "xor.prediction": "Prediction",
    "xor.confidence": "Confidence",
    "xor.confidence_help": "The sigmoid output is {out:.4f}; above 0.5 means 1. Confidence is the probability of the predicted class.",
    "xor.compare": "Linear model vs. network",
    "xor.compare_intro": (
        "A model with no hidden layer (2 inputs → 1 output: a linear model plus Sigmoid, i.e. logistic "
        "regression) and the network you built above, each trained on all four gates with the same settings."
    ),
    "xor.compare_run": "Compare on all four gates",
    "xor.linear": "No hidden layer (one line)",
    "xor.network": "Network {arch}",
    "xor.compare_lesson": (
        "Without a hidden layer the boundary is always one straight line. AND, OR and NAND are separable by a "
        "line, so it solves them; on XOR any line gets at least one of the four points wrong (75 % at best). "
        "Hidden layers combine several lines into a bent boundary that separates XOR."
    ),
    "xor.stepview": "One training step in numbers",
    "xor.stepview_intro": (
        "With the current model, one step on the four rows of the truth table as a single batch: forward pass → "
        "loss → backward pass (gradients) → weight update, every number shown (the model itself is not changed)."
    ),
    "xor.stepview_show": "Show the numbers",
    "xor.step_forward": "**Forward pass**: each layer computes z = a·Wᵀ + b and applies its activation (rows = inputs [0,0], [0,1], [1,0], [1,1]).",
    "xor.step_layer": "**Layer {i}** (activation: {act})",
    "xor.step_loss": "**Loss** (BCELoss, mean over the 4 rows): **{loss:.5f}**",
    "xor.step_backward": (
        "**Backward pass**: `loss.backward()` computes each weight's gradient ∂L/∂W (left). After "
        "`optimizer.step()` the weights are as on the right. Hover a line in the drawing to see its gradient."
    ),
    "xor.step_update_adam": (
        "Adam's first step (lr {lr}) moves every weight by about the learning rate against its gradient "
        "(m / √v is ±1 on the first step). Loss after the update: **{after:.5f}**"
    ),
    "xor.step_update_sgd": "SGD's update: W ← W − lr × ∂L/∂W (lr {lr}). Loss after the update: **{after:.5f}**",
    "xor.code_caption": (
        "The PyTorch script for the current settings. It runs on its own and, with the same seed, reaches the "
        "same loss and accuracy as this page."
    ),
    "xor.download": "Download the script (.py)",
    "xor.cli": "On the command line, `python -m core.cli xor train --seed {seed}` runs the same training.",
    "xor.q1": "1. What does a neural network model?",
    "xor.a1": (
        "The nerve cells (neurons) of living things. A perceptron, the mathematical neuron, computes w·x + b "
        "from its inputs x with weights w and bias b and passes it through an activation function. Stacked in "
        "layers, these learn patterns in data and make inferences on data they have not seen."
    ),
    "xor.q2": "2. What is the role of an activation function?",
    "xor.a2": (
        'A **non-linear** function that decides how strongly a neuron "fires" (passes information to the next '
        "layer). Without it, any number of layers collapses into one linear map, and XOR cannot be solved. "
        "Common ones are Sigmoid, tanh and ReLU; ReLU is the usual choice in deep learning today."
    ),
    "xor.q3": "3. Briefly explain how automatic differentiation (autograd) works in PyTorch.",
    "xor.a3": (
        "Computations with tensors that have `requires_grad=True` (an nn.Module's parameters do automatically) "
        "are recorded as a computation graph on the fly. `loss.backward()` walks that graph backwards "
        "(backpropagation) and stores each parameter's gradient in `.grad`."
    ),
    "xor.q4": "4. Which loss function is usually used to train a simple linear regression model?",
    "xor.a4": "Mean squared error (MSE, `nn.MSELoss`). For two-class problems such as XOR, BCELoss is used.",
    "xor.q5": "5. Name the two functions needed to update the parameters when training a model in PyTorch.",
    "xor.a5": (
        "`loss.backward()` (computes each parameter's gradient from the loss) and `optimizer.step()` (updates the "
        "parameters with those gradients). Before them, `optimizer.zero_grad()` clears the previous gradients."
    ),
}
