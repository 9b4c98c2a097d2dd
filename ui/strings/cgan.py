"""Strings of the conditional-GAN page (app_pages/cgan.py)."""

JA = {
    "nav.cgan": "条件付き GAN",
    "home.blurb.cgan": "ラベルを指定して好きな数字を生成する",
    "cgan.title": "条件付き GAN：数字を指定する",
    "cgan.lead": "生成したい数字を選ぶと、その数字だけを描く GAN です。",
    "cgan.about": "普通の GAN とどこが違う？",
    "cgan.intro": (
        "普通の GAN はどの数字が出てくるかを選べません。**条件付き GAN（cGAN）** は G にも D にも"
        "ラベル $y$ を渡します。G は「乱数 $z$ と数字 $y$」から画像 $G(z, y)$ を作り、D は「画像とラベルの組」が"
        "本物かどうかを判定します。D は「7 と書いてあるのに 1 に見える」組も偽物と見抜くので、"
        "G はラベルどおりの数字を描くように学びます（教材 003 の cGAN）。"
    ),
    "cgan.loss": "損失は GAN と同じ形で、すべてにラベル $y$ が付きます：",
    "cgan.onehot_header": "ラベルを one-hot ベクトルにする",
    "cgan.onehot": (
        "数字 3 をそのまま数値 3 として渡すと、「3 は 2 と 4 の間」という意味のない大小関係までネットワークに伝わります。"
        "そこで教材と同じく **one-hot ベクトル** にします：長さ 10 で、その数字の位置だけが 1 です。"
        "G では $z$ の後ろにつなげ（長さ 100 + 10）、D では画像に 10 枚の定数の面として重ねます（28×28 の場合）。"
    ),
    "cgan.lesson_note": (
        "**教材の観察**：D の出力を 10 個にして、本物の目標を (1,1,…,1)、偽物を (0,0,…,0) にする案は"
        "うまくいかず、本物の目標をそのラベルの one-hot（数字 3 なら (0,0,0,1,0,…)）にした方が良い結果になりました。"
        "(1,1,…,1) では D の出力がラベルとまったく関係しないので、D は「画像と数字が合っているか」を学べません。"
        "このラボの D はラベルを入力として受け取り、「このラベルの本物らしさ」を 1 つの値で出す標準的な形にしています。"
    ),
    "cgan.theory": "cGAN の式と、ラベルを one-hot ベクトルにするわけ",
    "cgan.dataset": "データ",
    "cgan.dataset.mnist": "MNIST（28×28）",
    "cgan.dataset.digits": "scikit-learn digits（8×8、教材の選択）",
    "cgan.shipped_info": "同梱の生成器は、{data}で {epochs} エポック学習したものです。",
    "cgan.no_shipped": "同梱の生成器を読み込めません：{reason}\n\n下の「その場で学習」で自分の生成器を作れます。",
    "cgan.digit": "生成する数字",
    "cgan.n": "枚数",
    "cgan.new": "新しいサンプル",
    "cgan.style_grid": "スタイル × 数字のグリッド",
    "cgan.style_help": "列が数字 0〜9、行が固定の $z$ です。同じ行では $z$（字の太さや傾きなどの「書き方」）が同じで、ラベルだけが変わります。",
    "cgan.rows": "行数（固定の z の数）",
    "cgan.interp": "同じ数字のまま z を動かす",
    "cgan.interp_help": "ラベルを固定して $z_A$ から $z_B$ へ動かすと、数字は変わらず書き方だけが変わります。",
    "cgan.seed_a": "始点 $z_A$ のシード",
    "cgan.seed_b": "終点 $z_B$ のシード",
    "cgan.fidelity_header": "ラベルどおりに描けているか（ラベル忠実度）",
    "cgan.fidelity_help": "各数字を {n} 枚ずつ生成し、分類器が指定どおりの数字と読んだ割合です（{clf}）。",
    "cgan.clf.cnn": "同梱の CNN で判定",
    "cgan.clf.digits": "8×8 の本物の digits で学習した小さな分類器で判定",
    "cgan.fidelity_run": "ラベル忠実度を測る",
    "cgan.fidelity_overall": "全体のラベル忠実度",
    "cgan.no_cnn": "同梱の CNN（cnn_mnist.pth）がないため測れません：{reason}",
    "cgan.tog_header": "教材の課題：生成した数字だけで分類器を学習する",
    "cgan.tog_help": (
        "cGAN が作った数字 **だけ** で分類器を学習し、**本物のテスト用の数字** で正解率を測ります。"
        "同じ分類器を本物の学習データで学習した場合と比べます。差が小さいほど、cGAN は各数字の"
        "特徴をよく捉えています。（本物の学習データ {n_real:,} 枚、テスト {n_test:,} 枚、{epochs} エポック）"
    ),
    "cgan.tog_count": "生成する数字の枚数",
    "cgan.tog_count.same": "本物と同じ {n:,} 枚",
    "cgan.tog_count.more": "5 倍の {n:,} 枚",
    "cgan.tog_count_help": (
        "生成データはいくらでも作れます。同じ枚数で比べると公平ですが、枚数を増やすと"
        "生成データだけでもどこまで本物に近づけるかが分かります（学習に時間がかかります）。"
    ),
    "cgan.n_generated": "生成データ {n:,} 枚で学習",
    "cgan.tog_run": "2 つの分類器を学習して比べる",
    "cgan.tog_running": "分類器を 2 つ学習しています…",
    "cgan.acc_generated": "生成データで学習 → 本物でテスト",
    "cgan.acc_real": "本物で学習 → 本物でテスト",
    "cgan.tog_source": "生成器：{source}",
    "cgan.source.shipped": "同梱の生成器",
    "cgan.source.trained": "このページで学習した生成器",
    "cgan.train_header": "その場で学習する",
    "cgan.train_intro": (
        "選んだデータの **学習用** の分割だけで cGAN を学習します（テスト用は上の課題の評価に取っておきます）。"
        "エポックごとに、固定の $z$ と数字 0〜9 のグリッドと損失の履歴を表示します（教材は 10 エポックごと）。"
    ),
    "cgan.use_trained": "自分で学習した生成器を上の生成・評価に使う",
    "cgan.epochs": "エポック数",
    "cgan.g_lr": "G の学習率",
    "cgan.d_lr": "D の学習率",
    "cgan.live_grid": "固定の z × 数字 0〜9（エポック {epoch}）",
    "cgan.timeline": "エポックごとのグリッドを見返す",
    "cgan.code": "G と D（core/models/gan.py）",
}

EN = {
    "nav.cgan": "Conditional GAN",
    "home.blurb.cgan": "Ask for a digit and generate it",
    "cgan.title": "Conditional GAN: ask for a digit",
    "cgan.lead": "Pick a digit, and this GAN draws that digit and no other.",
    "cgan.about": "How does it differ from a plain GAN?",
    "cgan.intro": (
        "A plain GAN cannot be told which digit to make. A **conditional GAN (cGAN)** gives the label $y$ to "
        "both players: G turns noise $z$ and a digit $y$ into an image $G(z, y)$, and D judges whether an "
        "(image, label) *pair* is real. D also rejects a pair that says 7 but shows a 1, so G learns to draw "
        "the digit it is asked for (the cGAN of lesson 003)."
    ),
    "cgan.loss": "The losses are the GAN's, with the label $y$ everywhere:",
    "cgan.onehot_header": "Labels as one-hot vectors",
    "cgan.onehot": (
        'Passing the digit 3 as the number 3 would tell the network a meaningless order ("3 lies between 2 '
        "and 4\"). As in the lesson, the label becomes a **one-hot vector**: 10 long, 1 at the digit's place, "
        "0 elsewhere. G appends it to $z$ (100 + 10 inputs); D stacks it onto the image as 10 constant planes "
        "(for 28×28)."
    ),
    "cgan.lesson_note": (
        "**The lesson's observation**: giving D 10 outputs with target (1,1,…,1) for real and (0,0,…,0) for "
        "fake did not work well; using the label's own one-hot vector as the real target (digit 3 → "
        "(0,0,0,1,0,…)) did better. With (1,1,…,1) D's output has nothing to do with the label, so D never "
        "learns whether image and digit match. The D here takes the label as an input and outputs one value, "
        '"how real is this image *as this digit*", the standard form.'
    ),
    "cgan.theory": "The cGAN's formulas, and why labels become one-hot vectors",
    "cgan.dataset": "Data",
    "cgan.dataset.mnist": "MNIST (28×28)",
    "cgan.dataset.digits": "scikit-learn digits (8×8, the lesson's choice)",
    "cgan.shipped_info": "Shipped generator: {epochs} epochs of training. Data: {data}.",
    "cgan.no_shipped": 'The shipped generator cannot be loaded: {reason}\n\nTrain your own under "Train it live" below.',
    "cgan.digit": "Digit to generate",
    "cgan.n": "How many",
    "cgan.new": "New samples",
    "cgan.style_grid": "Style × digit grid",
    "cgan.style_help": "Columns are the digits 0–9, rows are fixed vectors $z$. Along a row $z$ (the 'handwriting': stroke width, slant) stays the same and only the label changes.",
    "cgan.rows": "Rows (fixed z vectors)",
    "cgan.interp": "Move z, keep the digit",
    "cgan.interp_help": "With the label fixed, walking from $z_A$ to $z_B$ changes only the handwriting, never the digit.",
    "cgan.seed_a": "Seed of the start $z_A$",
    "cgan.seed_b": "Seed of the end $z_B$",
    "cgan.fidelity_header": "Does it draw what was asked? (label fidelity)",
    "cgan.fidelity_help": "{n} samples of each digit; the share a classifier reads as the requested digit ({clf}).",
    "cgan.clf.cnn": "read by the shipped CNN",
    "cgan.clf.digits": "read by a small classifier trained on real 8×8 digits",
    "cgan.fidelity_run": "Measure label fidelity",
    "cgan.fidelity_overall": "Overall label fidelity",
    "cgan.no_cnn": "The shipped CNN (cnn_mnist.pth) is not available, so this cannot be measured: {reason}",
    "cgan.tog_header": "The lesson's exercise: train a classifier on generated digits only",
    "cgan.tog_help": (
        "Train a classifier **only** on digits the cGAN made, then test it on **real test digits**; compare "
        "with the same classifier trained on the real training digits. The smaller the gap, the better "
        "the cGAN captured each digit. ({n_real:,} real training and {n_test:,} test digits, {epochs} epochs)"
    ),
    "cgan.tog_count": "How many digits to generate",
    "cgan.tog_count.same": "as many as the real ones ({n:,})",
    "cgan.tog_count.more": "5 times as many ({n:,})",
    "cgan.tog_count_help": (
        "Generated data is free to make. The same count is the fair comparison; more shows how close "
        "generated data alone can come to real data (training takes longer)."
    ),
    "cgan.n_generated": "trained on {n:,} generated digits",
    "cgan.tog_run": "Train both classifiers and compare",
    "cgan.tog_running": "Training two classifiers…",
    "cgan.acc_generated": "Trained on generated → tested on real",
    "cgan.acc_real": "Trained on real → tested on real",
    "cgan.tog_source": "Generator: {source}",
    "cgan.source.shipped": "the shipped generator",
    "cgan.source.trained": "the generator trained on this page",
    "cgan.train_header": "Train it live",
    "cgan.train_intro": (
        "Train a cGAN on the **training** split of the chosen data only (the test split is kept for the "
        "exercise above). Each epoch shows a grid of fixed $z$ × digits 0–9 and the loss history (the lesson "
        "asks for every 10 epochs)."
    ),
    "cgan.use_trained": "Use my trained generator for generation and evaluation above",
    "cgan.epochs": "Epochs",
    "cgan.g_lr": "G learning rate",
    "cgan.d_lr": "D learning rate",
    "cgan.live_grid": "Fixed z × digits 0–9 (epoch {epoch})",
    "cgan.timeline": "Replay the grid epoch by epoch",
    "cgan.code": "G and D (core/models/gan.py)",
}
