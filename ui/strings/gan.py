"""Strings of the GAN page (app_pages/gan.py), and the `gan.v.*` names of what the generative pages draw
alike (ui/charts.py's two players' charts, ui/figures/images.py's digit histogram)."""

JA = {
    "nav.gan": "GAN",
    "home.blurb.gan": "生成器と識別器の競争で数字の画像を作る",
    "gan.title": "GAN：生成器と識別器の競争",
    "gan.intro": (
        "**生成器 G** は乱数ベクトル $z$ から画像を作り、**識別器 D** はそれが本物（MNIST）か G の偽物かを見分けます。"
        "2 つを競わせるうちに、乱数から本物らしい数字が出てくるようになります（コース第3部の DCGAN）。"
    ),
    "gan.theory": "GAN の式：G と D が取り合う値と 2 つの損失",
    "gan.minimax": "GAN（敵対的生成ネットワーク）では、G と D が次の値を取り合います（D は最大化、G は最小化）：",
    "gan.losses": (
        "実際の学習では 2 つの損失に分けて交互に更新します。D の損失は本物を 1、偽物を 0 と判定する二値交差エントロピー、"
        "G の損失は「偽物を本物 (1) と判定させたい」損失 $-\\log D(G(z))$ です（$\\log(1-D(G(z)))$ を最小化するより、"
        "学習の初めに勾配が消えにくい形）。"
    ),
    "gan.range": (
        "**画素の範囲に注意**：G の最後は Tanh なので出力は $[-1, 1]$ です。コースのスクリプトは本物の画像を $[0, 1]$ のまま"
        "D に渡しているため、D は「負の画素があれば偽物」という手がかりだけで見分けられてしまいます。"
        "このラボでは本物も $x \\mapsto 2x-1$ で $[-1, 1]$ にそろえています（学習の設定で元のやり方も試せます）。"
    ),
    "gan.shipped": "学習済みの生成器から数字を作る",
    "gan.shipped_info": "同梱の生成器：コースと同じ大きさの G（128 チャネル）を改良版の設定で {epochs} エポック学習し、重みの移動平均（EMA）を保存したもの（{data}）。右の分布を見ると、数字ごとの出やすさに偏り（均等なら各 10 %）が残っています。これも弱いモード崩壊です。",
    "gan.shipped_info_mapping": "同梱の生成器：コースと同じ大きさの G（128 チャネル）の前に、z を数字ごとのまとまりへ曲げる全結合 2 層（{mapping} ユニットの「マッピングネットワーク」、StyleGAN の工夫）を加え、D には同じバッチ内のばらつきも見せて（ミニバッチ標準偏差）、改良版の設定で {epochs} エポック学習し、重みの移動平均（EMA）を保存したもの（{data}）。マッピングがないと、数字と数字の中間のような形が多くなります。",
    "gan.shipped_refine": "さらに G の 2 回の拡大のあいだ（14×14）に 3×3 の畳み込みを 1 層加え、線の形を整えられるようにしています。",
    "gan.no_shipped": "同梱の生成器を読み込めません：{reason}\n\n下の「その場で学習」で自分の生成器を作れます。",
    "gan.grid_n": "グリッドの大きさ（n × n）",
    "gan.new": "新しいサンプル",
    "gan.download": "PNG をダウンロード",
    "gan.quality": "CNN が読んだ数字の分布（モード崩壊のチェック）",
    "gan.quality_help": (
        "同梱の CNN が、生成した {n} 枚をそれぞれ何の数字と読んだかの割合です。理想はどの数字もおよそ 10 %。"
        "1 つの数字だけが突出していれば **モード崩壊**（G が D をだましやすい数字ばかり作る状態）です。"
    ),
    "gan.mean_conf": "CNN の平均確信度",
    "gan.confident": "確信度 0.9 以上の割合",
    "gan.no_cnn": "同梱の CNN（cnn_mnist.pth）がないため、数字の分布は表示できません：{reason}",
    "gan.interp": "潜在空間を歩く（補間）",
    "gan.interp_help": "2 つの乱数ベクトル $z_A$ と $z_B$ の間を少しずつ動かすと、数字がなめらかに別の数字へ変わります。",
    "gan.seed_a": "始点 $z_A$ のシード",
    "gan.seed_b": "終点 $z_B$ のシード",
    "gan.interp_t": "位置 t（0 = $z_A$、1 = $z_B$）",
    "gan.animate": "アニメーションで見る",
    "gan.train_header": "その場で学習する",
    "gan.train_intro": (
        "自分の G と D を学習させます。エポックごとに **同じ固定の $z$** から画像を作るので、同じ位置の数字が"
        "ノイズから少しずつ数字らしくなっていく様子が見えます（コースの `out/epoch_N.png` と同じ考え方）。"
    ),
    "gan.preset": "設定",
    "gan.preset.improved": "改良版の設定（バッチ正規化・Adam β1=0.5・ラベル平滑化）",
    "gan.preset.course": "コースの設定（そのまま）",
    "gan.preset_help": (
        "コースの設定はバッチサイズ 512 なので、4,000 枚では 1 エポックに 8 回しか更新されません。"
        "改良版は DCGAN 論文の定石（バッチ正規化、Adam の β1 = 0.5、本物のラベルを 0.9 にする片側ラベル平滑化）です。"
        "同じ時間だけ両方を学習させて、グリッドを見比べてみましょう。"
    ),
    "gan.settings": "詳しい設定",
    "gan.epochs": "エポック数",
    "gan.batch_size": "バッチサイズ",
    "gan.g_lr": "G の学習率",
    "gan.d_lr": "D の学習率",
    "gan.g_opt": "G の最適化手法",
    "gan.d_opt": "D の最適化手法",
    "gan.opt.adam": "Adam",
    "gan.opt.sgd_momentum": "SGD＋モメンタム",
    "gan.unit_range": "本物の画像を [0, 1] のまま渡す（コースのスクリプトと同じ、範囲の不一致あり）",
    "gan.mode": "1 ステップで更新するネットワーク",
    "gan.mode.both": "両方（D → G）",
    "gan.mode.d": "D だけ",
    "gan.mode.g": "G だけ",
    "gan.mode_help": "GAN Lab のように片方だけを動かしてみましょう。D だけを学習させると D(G(z)) が 0 に近づき、G だけだと D(G(z)) が上がります。学習中でも切り替えられます。",
    "gan.delay": "スローモーション（1 ステップごとの待ち時間、秒）",
    "gan.epochs_hint": (
        "最初の設定は {epochs} エポックです。ほかにだれも学習していなければ 2 コアの CPU で約 1 分ですが、"
        "1 台のサーバーをクラスで使うと数分かかることがあります"
        "（先生と生徒 4 人の授業では、15 エポックで約 2 分半でした）。"
        "大勢が同時に学習すると順番待ちにもなります。学習が始まると、バーに残り時間の目安が出ます。"
        "10 エポックではにじんだ形が多く、はっきり読める（CNN の確信度 0.9 以上）のは 3 割ほどです。"
        "{epochs} エポックで 9 割が数字の形（確信度 0.5 以上）になり、はっきり読めるものは半分近くに増えます。"
        "さらに増やすとその割合は少しずつ上がり、同梱の生成器（大きな G で 400 エポック）では 8 割を超えます。"
    ),
    "gan.before_train": "「学習開始」を押すと、ここに 2 つの損失のグラフと、エポックごとの画像が出ます。",
    "gan.live_grid": "固定の z から作った画像（エポック {epoch}）",
    "gan.waiting_grid": "最初のエポックが終わると、ここに画像が出ます。",
    "gan.timeline": "エポックごとの画像を見返す",
    "gan.epoch_pick": "エポック",
    "gan.timeline_gif": "全エポックをアニメーションで",
    "gan.detach_header": "なぜ detach() が必要か、D が勝ちすぎたら",
    "gan.detach": (
        "D を更新するときは `D(fake.detach())` と書きます。`detach()` は計算グラフをそこで切るので、"
        "D の損失から逆伝播した勾配が G まで流れません。これがないと、D の `backward()` が G の勾配も作ってしまい、"
        "次の G の更新に「D を助ける向き」の勾配が混ざります（しかも無駄な計算です）。"
        "G を更新するときは逆に `D(fake)` のまま使い、勾配を D を通して G まで流します。"
        "このとき D のパラメータにも勾配がたまりますが、D の更新の前に `zero_grad()` で消すので問題ありません。"
    ),
    "gan.d_wins": (
        "**D が勝ちすぎたら**（D(x) ≈ 1、D(G(z)) ≈ 0、G の損失がどんどん増える）：G に届く勾配が小さくなり、学習が止まります。"
        "D の学習率を下げる、G の学習率を上げる、本物のラベルを 0.9 にする（ラベル平滑化）、D を小さくする、"
        "「G だけ」を何ステップか回す、などで釣り合いを戻します。理想は D(x) と D(G(z)) がどちらも 0.5 付近で揺れることです。"
    ),
    "gan.code": "1 バッチの中の D の更新と G の更新（core/gan.py の d_step と g_step）",
    "gan.v.d_loss": "D の損失",
    "gan.v.g_loss": "G の損失",
    "gan.v.d_out": "D の出力（本物らしさ）",
    "gan.v.d_real": "D(x)：本物",
    "gan.v.d_fake": "D(G(z))：偽物",
    "gan.v.digit": "数字",
    "gan.v.share": "割合",
    "gan.v.fidelity": "指定どおりに読まれた割合",
}

EN = {
    "nav.gan": "GAN",
    "home.blurb.gan": "A generator and a discriminator compete until digits appear",
    "gan.title": "GAN: generator vs discriminator",
    "gan.intro": (
        "The **generator G** turns a random vector $z$ into an image; the **discriminator D** tells real "
        "images (MNIST) from G's fakes. As the two compete, random vectors turn into convincing digits "
        "(the DCGAN of the course's Part 3)."
    ),
    "gan.theory": "The GAN's formulas: the value G and D play for, and the two losses",
    "gan.minimax": "In a GAN (generative adversarial network) G and D play for this value (D maximises it, G minimises it):",
    "gan.losses": (
        "In practice the game is split into two losses, updated in turn. D's loss is binary cross-entropy "
        "with real = 1 and fake = 0; G's loss asks D to call the fakes real (1): $-\\log D(G(z))$, which "
        "gives G stronger gradients early on than minimising $\\log(1-D(G(z)))$."
    ),
    "gan.range": (
        "**Mind the pixel range**: G ends in Tanh, so its images lie in $[-1, 1]$. The course script feeds "
        "real images to D in $[0, 1]$, so D can spot a fake just by its negative pixels. Here real images are "
        "scaled to $[-1, 1]$ too ($x \\mapsto 2x-1$); the training settings let you try the original way."
    ),
    "gan.shipped": "Make digits with the trained generator",
    "gan.shipped_info": "Shipped generator: the course's G size (128 channels) trained for {epochs} epochs with the improved settings, saved as a moving average of its weights (EMA) ({data}). The histogram on the right shows it still favours some digits over others (even would be 10 % each): a mild mode collapse.",
    "gan.shipped_info_mapping": 'Shipped generator: the course\'s G size (128 channels) with two dense layers in front ({mapping}-unit "mapping network", a StyleGAN idea) that bend z into separate groups of digits, and a D that also sees how varied each batch is (minibatch standard deviation), trained for {epochs} epochs with the improved settings and saved as a moving average of its weights (EMA) ({data}). Without the mapping, many samples are blends halfway between two digits.',
    "gan.shipped_refine": "G also has one 3×3 convolution between its two upsamplings (at 14×14), where it can tidy the strokes.",
    "gan.no_shipped": 'The shipped generator cannot be loaded: {reason}\n\nTrain your own under "Train it live" below.',
    "gan.grid_n": "Grid size (n × n)",
    "gan.new": "New samples",
    "gan.download": "Download PNG",
    "gan.quality": "Digits the CNN sees (a mode-collapse check)",
    "gan.quality_help": (
        "The share of the {n} generated images the shipped CNN reads as each digit. Ideally about 10 % each; "
        "a single tall bar is **mode collapse** (G keeps making the digit that fools D most easily)."
    ),
    "gan.mean_conf": "CNN's mean confidence",
    "gan.confident": "Read with confidence ≥ 0.9",
    "gan.no_cnn": "The shipped CNN (cnn_mnist.pth) is not available, so the digit histogram is hidden: {reason}",
    "gan.interp": "Walk through latent space (interpolation)",
    "gan.interp_help": "Move step by step from one random vector $z_A$ to another $z_B$: one digit morphs smoothly into another.",
    "gan.seed_a": "Seed of the start $z_A$",
    "gan.seed_b": "Seed of the end $z_B$",
    "gan.interp_t": "Position t (0 = $z_A$, 1 = $z_B$)",
    "gan.animate": "Show as an animation",
    "gan.train_header": "Train it live",
    "gan.train_intro": (
        "Train your own G and D. After every epoch the page draws images from the **same fixed $z$**, so you "
        "watch each cell turn from noise into a digit (the course's `out/epoch_N.png`, live)."
    ),
    "gan.preset": "Settings",
    "gan.preset.improved": "Improved settings (batch norm, Adam β1 = 0.5, label smoothing)",
    "gan.preset.course": "Course settings (as they are)",
    "gan.preset_help": (
        "The course uses batch size 512: on 4,000 images that is only 8 updates per epoch. The improved "
        "settings are the DCGAN paper's practice (batch norm, Adam β1 = 0.5, one-sided label smoothing with "
        "real labels at 0.9). Train both for the same time and compare the grids."
    ),
    "gan.settings": "More settings",
    "gan.epochs": "Epochs",
    "gan.batch_size": "Batch size",
    "gan.g_lr": "G learning rate",
    "gan.d_lr": "D learning rate",
    "gan.g_opt": "G optimizer",
    "gan.d_opt": "D optimizer",
    "gan.opt.adam": "Adam",
    "gan.opt.sgd_momentum": "SGD + momentum",
    "gan.unit_range": "Feed real images in [0, 1] (as the course script does: a range mismatch)",
    "gan.mode": "Networks updated each step",
    "gan.mode.both": "Both (D then G)",
    "gan.mode.d": "D only",
    "gan.mode.g": "G only",
    "gan.mode_help": "As in GAN Lab, move one player at a time: training D alone drives D(G(z)) towards 0, training G alone pushes it up. You can switch while it trains.",
    "gan.delay": "Slow motion (pause after each step, seconds)",
    "gan.epochs_hint": (
        "The first run is {epochs} epochs: about a minute on a 2-core CPU nobody else is training on, but it "
        "can take several minutes on a server the class shares (in a class of a teacher and four students, "
        "15 epochs took two and a half minutes), and when many train at once, runs wait in line. Once it "
        "starts, the bar shows an estimate of the time left. After 10 epochs most samples are blurred and "
        "about 3 in 10 read "
        "clearly (the CNN's confidence ≥ 0.9). After {epochs} epochs 9 in 10 take a digit's shape (confidence "
        "≥ 0.5) and nearly half read clearly. More epochs raise that share slowly; the shipped generator (a "
        "larger G, 400 epochs) reads clearly for more than 8 in 10."
    ),
    "gan.before_train": "Press Train: the two players' loss charts and the images of every epoch appear here.",
    "gan.live_grid": "Images from the fixed z (epoch {epoch})",
    "gan.waiting_grid": "Images appear here after the first epoch.",
    "gan.timeline": "Replay the grid epoch by epoch",
    "gan.epoch_pick": "Epoch",
    "gan.timeline_gif": "All epochs as an animation",
    "gan.detach_header": "Why detach(), and what to do when D wins",
    "gan.detach": (
        "The D update uses `D(fake.detach())`. `detach()` cuts the graph there, so gradients of D's loss stop "
        "before G. Without it, D's `backward()` would also fill G's gradients, and G's next update would mix "
        "in a direction that helps D (and waste computation). The G update uses `D(fake)` as it is, so the "
        "gradient flows through D into G; D's parameters collect gradients too, but D's `zero_grad()` clears "
        "them before D's next step."
    ),
    "gan.d_wins": (
        "**When D wins** (D(x) ≈ 1, D(G(z)) ≈ 0, G's loss keeps climbing), G's gradients vanish and learning "
        "stalls. Lower D's learning rate, raise G's, label real images 0.9 (label smoothing), make D smaller, "
        'or run "G only" for a few steps. The healthy picture is D(x) and D(G(z)) wobbling around 0.5.'
    ),
    "gan.code": "One batch's D update and G update (d_step and g_step in core/gan.py)",
    "gan.v.d_loss": "D loss",
    "gan.v.g_loss": "G loss",
    "gan.v.d_out": "D's output (how real)",
    "gan.v.d_real": "D(x): real",
    "gan.v.d_fake": "D(G(z)): fake",
    "gan.v.digit": "Digit",
    "gan.v.share": "Share",
    "gan.v.fidelity": "Read as requested",
}
