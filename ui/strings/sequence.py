"""Sequences page (primer 001, 7.2: RNN / LSTM / GRU on a time series)."""

JA = {
    "nav.sequence": "時系列（RNN・LSTM）",
    "home.blurb.sequence": "RNN・LSTM・GRU が時系列を学ぶ。ナイーブな予測と比べ、セルの中の記憶も見る",
    "sequence.title": "時系列：RNN・LSTM・GRU",
    "sequence.intro": (
        "直前の **W 個の値（窓）** から次の 1 個を予測します。**過去** だけで学習し、"
        "**後ろの期間（オレンジの帯）** でテストします。単純な予測（ベースライン）にも勝てるでしょうか。"
    ),
    "sequence.series_label": "データ",
    "sequence.series.sine": "サイン波（教材）",
    "sequence.series.sunspots": "太陽黒点数（年ごと）",
    "sequence.series.co2": "CO2 濃度（マウナロア、月ごと）",
    "sequence.noise": "ノイズの大きさ",
    "sequence.second": "2 つ目の波",
    "sequence.model": "モデル",
    "sequence.cell.rnn": "RNN",
    "sequence.cell.lstm": "LSTM（教材）",
    "sequence.cell.gru": "GRU",
    "sequence.hidden": "隠れ層サイズ",
    "sequence.layers": "層の数",
    "sequence.window": "窓の長さ W",
    "sequence.window_help": "何個前までの値を見て次を予測するか。テキストは 10 です。",
    "sequence.lr": "学習率",
    "sequence.lr_help": "テキストは 0.001 です。0.1 以上にすると学習が発散することがあります。",
    "sequence.epochs": "エポック数",
    "sequence.params_caption": (
        "同じ隠れ層サイズでも、LSTM はゲートが 4 組、GRU は 3 組あるので、RNN の約 4 倍・3 倍の"
        "パラメータを持ちます。"
    ),
    "sequence.bad_window": "窓の長さ {w} は学習データ（{n} 個）に対して長すぎます。もっと短くしてください。",
    "sequence.data_error": "データを読み込めませんでした（{error}）。先生に知らせてください。",
    "sequence.live_caption": "エポック {epoch}：テスト期間の 1 ステップ予測の平均絶対誤差（MAE）は {mae:.4f} です。",
    "sequence.results": "テスト期間の予測とベースライン",
    "sequence.no_model": "まだモデルがありません。「学習」を押すと、ここにテスト期間の予測が出ます。",
    "sequence.stale": "表示しているのは、前に学習した設定のモデルです。今の設定で見るには、もう一度学習してください。",
    "sequence.forecast_caption": (
        "**1 ステップ予測** は毎回本物の直前 W 個を見て次を当てます。**自走予測** は学習期間の最後の窓から"
        "始めて、自分の予測を次の入力に使い続けます。どの予測も、予測した値の時刻に描いています"
        "（テキストの図は窓の長さ分ずれていました）。"
    ),
    "sequence.table.model": "モデル",
    "sequence.table.params": "パラメータ数",
    "sequence.table_caption": "テスト期間の誤差（{unit}）。小さいほど良い予測です。",
    "sequence.classical_caption": (
        "statsmodels の古典的なモデルも、学習期間だけで当てはめています。周期が決まっている系列（サイン波は 40 "
        "ステップ、CO2 は 12 か月）には Holt-Winters（CO2 はトレンド付き）、周期が 9〜14 年とばらつく黒点数には、"
        "何年前まで使うかを AIC で選んだ自己回帰（AR）です。テスト期間では当てはめ直さず、決まった式に直前までの"
        "実測値を入れて 1 ステップ先を予測します。ネットワークの 1 ステップ予測と同じ条件です。"
    ),
    "sequence.unit.sine": "元の値の単位",
    "sequence.unit.sunspots": "黒点数",
    "sequence.unit.co2": "ppm",
    "sequence.loses": (
        "このネットワークは、ベースライン「{baseline}」に負けています（平均絶対誤差 {mae:.4f} に対して {base:.4f}）。"
        "これも大事な結果です。単純な予測に勝てないモデルは、まだ使えません。"
        "窓の長さ・エポック数・データを変えて、理由を考えてみましょう。"
    ),
    "sequence.wins": "このネットワークは、いちばん良いベースライン「{baseline}」より平均絶対誤差が {pct:.0f}% 小さくなりました。",
    "sequence.model_name.network": "ネットワーク（1 ステップ）",
    "sequence.model_name.free": "ネットワーク（自走）",
    "sequence.model_name.persistence": "前回値（明日＝今日）",
    "sequence.model_name.seasonal": "1 周期前の値",
    "sequence.model_name.ar": "線形自己回帰（最小二乗）",
    "sequence.model_name.hw": "Holt-Winters（statsmodels）",
    "sequence.model_name.autoreg": "AR（statsmodels、次数は AIC）",
    "sequence.horizon_caption": (
        "何ステップ先まで自走させたときの誤差か。テスト期間のあらゆる時点から始めて平均しています。"
        "1 ステップ予測がよく見えても、自走させると誤差はどんどん大きくなることがあります。"
    ),
    "sequence.axis.time": "時刻",
    "sequence.axis.value": "値",
    "sequence.axis.horizon": "何ステップ先か",
    "sequence.axis.mae": "平均絶対誤差（{unit}）",
    "sequence.axis.unit": "隠れユニット",
    "sequence.axis.lag": "何ステップ前の入力か",
    "sequence.axis.influence": "影響の大きさ（最大を 1）",
    "sequence.series": "系列",
    "sequence.actual": "実際の値",
    "sequence.window_inputs": "窓（入力 {w} 個）",
    "sequence.window_target": "正解（窓の次の値）",
    "sequence.window_title": "スライディングウィンドウを見る",
    "sequence.window_pick": "窓の位置 i",
    "sequence.window_text": (
        "窓 i の入力は x[i], …, x[i+W−1]、正解はその次の **x[i+W]** です。学習用の窓は入力も正解も学習期間の中だけ、"
        "テスト用の窓は正解がテスト期間にあり、入力は直前の過去（学習期間の終わりを含む）を読みます。"
    ),
    "sequence.shapes": (
        "学習データの形：入力 X = **{x}**、正解 y = **{y}**、1 バッチの入力 = **{batch}**。"
        "`batch_first=True` なので、RNN への入力は **(バッチ, 系列の長さ, 特徴量の数)** の順です"
        "（指定しないと (系列の長さ, バッチ, 特徴量) の順になります）。1 時刻に値は 1 個なので、最後の次元は 1 です。"
    ),
    "sequence.split_text": (
        "時系列を **ランダムに分けてはいけません**。ランダムに分けると、テストの時点の前後の値を学習で見てしまい、"
        "未来を知っているのと同じになるからです。このページでは前の部分で学習し、後ろの部分だけでテストします。"
        "値のスケーリングも学習期間だけから計算します。学習期間の最小値が −1、最大値が 1 になるように変換します"
        "（セルの出力 tanh の範囲です）。"
    ),
    "sequence.inside": "セルの中を見る：隠れ状態と記憶",
    "sequence.inside_show": "隠れ状態と記憶マップを計算する",
    "sequence.inside_intro": (
        "テスト期間の各時点について、窓を読み終えたときの状態を色で表します（横：時刻、縦：ユニット）。"
    ),
    "sequence.state.h": "**隠れ状態 h**（出力に使われる状態）",
    "sequence.state.c": "**セル状態 c**（LSTM の長期記憶）",
    "sequence.state.f": "**忘却ゲート f**（1 に近いほど記憶を残す）",
    "sequence.state.i": "**入力ゲート i**（1 に近いほど新しい値を書き込む）",
    "sequence.memory_title": "**記憶マップ**：予測は何ステップ前の入力にどれだけ左右されるか（|∂予測/∂入力|）",
    "sequence.memory_caption": (
        "縦軸は対数目盛りです。RNN では、1 ステップさかのぼるたびに勾配に同じ重み行列が掛かるので、"
        "影響はほぼ一定の割合で小さくなります（直線的に下がる：勾配消失）。LSTM はセル状態に足し算で"
        "記憶を残すので、遠い過去の影響が残りやすくなります。ただし、遠い過去が本当に必要かはデータ次第です"
        "（年ごとの黒点数は、どちらも直近の数年を主に見ます）。窓を 30 にしたサイン波で比べてみましょう。"
    ),
    "sequence.memory_compare": "RNN と LSTM を並べる（同じ設定で学習）",
    "sequence.memory_working": "比べるモデルを学習しています…",
    "sequence.memory_others": "比べるモデルは、あなたのモデルと同じデータ・窓・隠れ層サイズ・シードで {epochs} エポック学習しました。",
    "sequence.lr_title": "学習率の実験：発散を再現して直す",
    "sequence.lr_text": (
        "PyTorch の公式サンプル（time_sequence_prediction）では、学習率が大きすぎて損失が発散したという報告が"
        "何度もありました。テキストの LSTM とサイン波（シード 0）で、同じ初期値・同じバッチの順番から "
        "6 通りに学習させて、{steps} ステップ分の損失を比べます。"
    ),
    "sequence.lr_run": "実験する",
    "sequence.lr_working": "6 通りの学習を実行しています…",
    "sequence.lr_sgd": "**SGD**（勾配 × 学習率だけ進む）",
    "sequence.lr_adam": "**Adam**（テキストの最適化手法）",
    "sequence.lr_axis_step": "ステップ",
    "sequence.lr_axis_loss": "損失（MSE、対数目盛り）",
    "sequence.lr_blew": "× ステップ {step} で発散<br>（直前の損失 {peak:.1e}）",
    "sequence.arm.sgd_high": "学習率 1.0（大きすぎ）",
    "sequence.arm.sgd_low": "学習率 0.1（下げる）",
    "sequence.arm.sgd_clip": "学習率 1.0 ＋ 勾配クリッピング 0.1",
    "sequence.arm.adam_high": "学習率 1.0（大きすぎ）",
    "sequence.arm.adam_clip": "学習率 1.0 ＋ 勾配クリッピング 0.1",
    "sequence.arm.adam_low": "学習率 0.001（テキストの値）",
    "sequence.lr_explain": (
        "**SGD** は「勾配 × 学習率」だけ重みを動かします。学習率 1.0 では一歩が大きすぎて損失が増え続け、"
        "やがて数値が表せる範囲を超えて（inf）、学習が壊れます。直し方は 2 つです。学習率を下げるか、"
        "`torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)` で勾配の大きさ（ノルム）を 0.1 までに"
        "抑えるか（勾配クリッピング）です。\n\n"
        "**Adam** は勾配を、それまでの勾配の大きさの平均で割ってから使います。そのため一歩の大きさは"
        "勾配の大きさによらず、ほぼ学習率で決まります。勾配をクリッピングで小さくしても、Adam が割り算で"
        "元に戻してしまうので、学習率 1.0 のままでは直りません。Adam では学習率そのものを下げます。"
    ),
    "sequence.code_caption": (
        "テキスト 7.2 のコードに、今の設定を入れたものです（予測の描き位置を直し、テスト期間の最初からの"
        "予測とベースラインを加えています）。torch・numpy・pillow だけで動きます。"
    ),
    "sequence.download": "train.py をダウンロード",
    "sequence.q1": "窓の長さが 10 のとき、窓 i の正解は何番目の値ですか？",
    "sequence.a1": (
        "x[i+10] です。窓は x[i] から x[i+9] までの 10 個で、その次の値を当てます。"
        "だから予測を描くときは、窓の先頭ではなく正解の時刻に描きます。"
    ),
    "sequence.q2": "時系列をランダムに学習用とテスト用に分けると、何がまずいのですか？",
    "sequence.a2": (
        "テストの時点の前後の値が学習に入り、未来の情報を使ってしまいます。"
        "テストの成績が実際より良く見えます。時系列は必ず時刻で分けます。"
    ),
    "sequence.q3": "1 ステップ予測はよく合っているのに、自走予測が外れるのはなぜですか？",
    "sequence.a3": (
        "自走予測では、自分の予測を次の入力に使います。小さな誤差が次の入力に入り、"
        "それが積み重なって大きくなります（誤差の蓄積）。"
    ),
    "sequence.q4": "ネットワークが「前回値」のような単純な予測に負けたら、どう考えますか？",
    "sequence.a4": (
        "そのモデルはまだ役に立たない、ということです。データの傾向（トレンド）が学習期間の外に出ていないか、"
        "窓の長さや学習の長さが足りているか、標準化が合っているかを確かめます。"
    ),
    "sequence.q5": "LSTM のパラメータが、同じ隠れ層サイズの RNN の約 4 倍なのはなぜですか？",
    "sequence.a5": (
        "LSTM は入力ゲート・忘却ゲート・出力ゲートと候補値の 4 組の重みを持つからです。"
        "GRU は 3 組なので約 3 倍です。"
    ),
}

EN = {
    "nav.sequence": "Sequences (RNN, LSTM)",
    "home.blurb.sequence": "RNN, LSTM and GRU learn a time series, against honest baselines, with the memory inside the cell",
    "sequence.title": "Sequences: RNN, LSTM, GRU",
    "sequence.intro": (
        "The model reads the last **W values (a window)** and predicts the next. It learns from the **past** "
        "only and is tested on the **later part (the orange band)**. Can it beat simple forecasts (baselines)?"
    ),
    "sequence.series_label": "Data",
    "sequence.series.sine": "Sine wave (primer 7.2)",
    "sequence.series.sunspots": "Sunspots (yearly)",
    "sequence.series.co2": "CO2 at Mauna Loa (monthly)",
    "sequence.noise": "Noise",
    "sequence.second": "Second wave",
    "sequence.model": "Model",
    "sequence.cell.rnn": "RNN",
    "sequence.cell.lstm": "LSTM (primer)",
    "sequence.cell.gru": "GRU",
    "sequence.hidden": "Hidden size",
    "sequence.layers": "Layers",
    "sequence.window": "Window W",
    "sequence.window_help": "How many past values the model reads to predict the next. The primer uses 10.",
    "sequence.lr": "Learning rate",
    "sequence.lr_help": "The primer uses 0.001. At 0.1 and above training may diverge.",
    "sequence.epochs": "Epochs",
    "sequence.params_caption": (
        "For the same hidden size the LSTM has 4 sets of gate weights and the GRU 3, so about 4 and 3 times "
        "the parameters of the plain RNN."
    ),
    "sequence.bad_window": "A window of {w} is too long for the {n} training values. Choose a shorter one.",
    "sequence.data_error": "The data could not be loaded ({error}). Please tell your teacher.",
    "sequence.live_caption": "Epoch {epoch}: mean absolute error (MAE) of the one-step forecast over the test period {mae:.4f}.",
    "sequence.results": "The test period's forecast and the baselines",
    "sequence.no_model": "No model yet. Press Train and the test period's forecast appears here.",
    "sequence.stale": "This is the model of earlier settings. Train again to see the current ones.",
    "sequence.forecast_caption": (
        "The **one-step** forecast reads the true last W values each time. The **free-running** one starts "
        "from the training part's last window and then feeds on its own outputs. Every forecast is drawn at "
        "the time of the value it predicts (the primer's plot shifted it by the window length)."
    ),
    "sequence.table.model": "Model",
    "sequence.table.params": "Parameters",
    "sequence.table_caption": "Test errors (in {unit}). Smaller is better.",
    "sequence.classical_caption": (
        "statsmodels' classical model is fitted on the training part alone too: Holt-Winters where the cycle is "
        "fixed (the sine's 40 steps, CO2's 12 months, with a trend for CO2), and for sunspots, whose cycle "
        "wanders between 9 and 14 years, an autoregression (AR) whose order AIC picks. It is not refitted on "
        "the test period: the fitted model reads the observations before each test value and forecasts one "
        "step ahead, as the network's one-step forecast does."
    ),
    "sequence.unit.sine": "the series' units",
    "sequence.unit.sunspots": "sunspot number",
    "sequence.unit.co2": "ppm",
    "sequence.loses": (
        "This network loses to the baseline “{baseline}” (mean absolute error {mae:.4f} against {base:.4f}). That is a "
        "result too: a model that cannot beat a naive forecast is not ready. Change the window, the epochs or "
        "the data and think about why."
    ),
    "sequence.wins": "This network's mean absolute error is {pct:.0f}% below the best baseline, “{baseline}”.",
    "sequence.model_name.network": "Network (one-step)",
    "sequence.model_name.free": "Network (free-running)",
    "sequence.model_name.persistence": "Persistence (tomorrow = today)",
    "sequence.model_name.seasonal": "Seasonal persistence",
    "sequence.model_name.ar": "Linear autoregression (least squares)",
    "sequence.model_name.hw": "Holt-Winters (statsmodels)",
    "sequence.model_name.autoreg": "AR (statsmodels, order by AIC)",
    "sequence.horizon_caption": (
        "The error k steps ahead when the model runs free, averaged over every start in the test period. "
        "A good one-step forecast can still drift far when it feeds on itself."
    ),
    "sequence.axis.time": "time",
    "sequence.axis.value": "value",
    "sequence.axis.horizon": "steps ahead",
    "sequence.axis.mae": "mean absolute error ({unit})",
    "sequence.axis.unit": "hidden unit",
    "sequence.axis.lag": "input, steps back",
    "sequence.axis.influence": "influence (largest = 1)",
    "sequence.series": "series",
    "sequence.actual": "actual",
    "sequence.window_inputs": "window ({w} inputs)",
    "sequence.window_target": "target (the next value)",
    "sequence.window_title": "The sliding window",
    "sequence.window_pick": "Window position i",
    "sequence.window_text": (
        "Window i reads x[i], …, x[i+W−1]; its target is the next value, **x[i+W]**. Training windows keep "
        "inputs and target inside the training part; a test window's target lies in the test period and its "
        "inputs are the values just before it (the end of the training part included)."
    ),
    "sequence.shapes": (
        "Training data: inputs X = **{x}**, targets y = **{y}**, one batch of inputs = **{batch}**. With "
        "`batch_first=True` a recurrent layer reads **(batch, seq_len, features)** (without it: (seq_len, "
        "batch, features)). One value per time step, so the last dimension is 1."
    ),
    "sequence.split_text": (
        "Never split a time series **at random**: the training set would then hold values on both sides of "
        "a test point, as if the model knew the future. Here the model learns the earlier part and is tested "
        "on the later part only, and the scaling comes from the training part alone: its minimum becomes −1 "
        "and its maximum 1 (the range of tanh, the cell's output)."
    ),
    "sequence.inside": "Inside the cell: hidden state and memory",
    "sequence.inside_show": "Compute the states and the memory map",
    "sequence.inside_intro": (
        "For each time of the test period, the state after reading its window, as colours (across: time, "
        "down: units)."
    ),
    "sequence.state.h": "**Hidden state h** (what the output reads)",
    "sequence.state.c": "**Cell state c** (the LSTM's long-term memory)",
    "sequence.state.f": "**Forget gate f** (near 1: keep the memory)",
    "sequence.state.i": "**Input gate i** (near 1: write the new value)",
    "sequence.memory_title": "**Memory map**: how much each prediction depends on each earlier input (|∂prediction/∂input|)",
    "sequence.memory_caption": (
        "A log scale. Each step back, a plain RNN's gradient is multiplied by the same weight matrix, so the "
        "influence shrinks by about the same factor every step (a straight line down: the vanishing gradient). "
        "The LSTM keeps its memory in a cell state that adds rather than multiplies, so the far past can keep "
        "more influence. Whether the task needs the far past depends on the data (both lean on the last few "
        "years of sunspots). Try the sine with a window of 30."
    ),
    "sequence.memory_compare": "Put RNN and LSTM side by side (trained with the same settings)",
    "sequence.memory_working": "Training the models to compare…",
    "sequence.memory_others": "The models compared were trained on the same data, window, hidden size and seed as yours, for {epochs} epochs.",
    "sequence.lr_title": "Learning-rate experiment: make a run diverge, then cure it",
    "sequence.lr_text": (
        "Users of PyTorch's example time_sequence_prediction reported runs whose loss blew up at too large a "
        "learning rate. Here the primer's LSTM learns the sine (seed 0) six ways, each from the same initial "
        "weights and the same batches, for {steps} steps."
    ),
    "sequence.lr_run": "Run the experiment",
    "sequence.lr_working": "Training the six runs…",
    "sequence.lr_sgd": "**SGD** (steps by gradient × learning rate)",
    "sequence.lr_adam": "**Adam** (the primer's optimizer)",
    "sequence.lr_axis_step": "step",
    "sequence.lr_axis_loss": "loss (MSE, log scale)",
    "sequence.lr_blew": "× blew up at step {step}<br>(last loss {peak:.1e})",
    "sequence.arm.sgd_high": "lr 1.0 (too high)",
    "sequence.arm.sgd_low": "lr 0.1 (lower)",
    "sequence.arm.sgd_clip": "lr 1.0 + gradient clipping at 0.1",
    "sequence.arm.adam_high": "lr 1.0 (too high)",
    "sequence.arm.adam_clip": "lr 1.0 + gradient clipping at 0.1",
    "sequence.arm.adam_low": "lr 0.001 (the primer's)",
    "sequence.lr_explain": (
        "**SGD** moves the weights by gradient × learning rate. At 1.0 each step overshoots, the loss grows "
        "until it no longer fits in a number (inf) and the run is lost. Two cures: a lower rate, or "
        "`torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)`, which scales the gradient down whenever "
        "its norm exceeds 0.1 (gradient clipping).\n\n"
        "**Adam** divides each gradient by the running size of its past gradients, so its step is about the "
        "learning rate whatever the gradient's size. A clipped gradient is divided by a clipped running size: "
        "the step stays as large, and clipping does not cure lr 1.0. With Adam, lower the rate itself."
    ),
    "sequence.code_caption": (
        "The primer's code (7.2) with these settings, its plot drawn where the predictions belong, plus the "
        "forecast from the test period's start and the baselines. Runs with torch, numpy and pillow alone."
    ),
    "sequence.download": "Download train.py",
    "sequence.q1": "With a window of 10, which value is the target of window i?",
    "sequence.a1": (
        "x[i+10]. The window is x[i] … x[i+9], ten values, and the target is the next one. So a prediction "
        "is drawn at its target's time, not at the window's start."
    ),
    "sequence.q2": "What goes wrong if a time series is split into training and test at random?",
    "sequence.a2": (
        "Values right before and after a test point end up in training: the model uses the future, and the "
        "test score looks better than it is. Split a series by time."
    ),
    "sequence.q3": "Why can the one-step forecast fit well while the free-running one drifts away?",
    "sequence.a3": (
        "Running free, the model's own predictions become its next inputs. Each small error enters the next "
        "input and errors pile up."
    ),
    "sequence.q4": "What do you conclude when the network loses to a naive forecast such as persistence?",
    "sequence.a4": (
        "That the model is not useful yet. Check whether the test period leaves the training part's range (a "
        "trend), whether the window and training are long enough, and whether the scaling fits."
    ),
    "sequence.q5": "Why does an LSTM have about 4 times the parameters of an RNN of the same hidden size?",
    "sequence.a5": (
        "It has four sets of weights: the input, forget and output gates and the candidate value. The GRU has "
        "three, so about 3 times."
    ),
}
