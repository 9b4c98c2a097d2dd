"""Diffusion page (course Part 3.1.2): the forward and reverse processes, samplers, guidance, training, judge.

The page's title and Home blurb (`nav.diffusion`, `home.blurb.diffusion`) live here too, beside the page's
other strings."""

JA = {
    "nav.diffusion": "拡散モデル",
    "home.blurb.diffusion": "ノイズから一歩ずつ数字が現れる。GAN・VAE と同じ基準で比べる",
    "diffusion.title": "拡散モデル：ノイズから数字へ",
    "diffusion.lead": (
        "画像にノイズを足し続けると砂嵐になります。拡散モデルはその逆に、**ノイズを少しずつ取り除いて**"
        "数字をつくります。右で数字を選ぶと、1 枚の砂嵐がその数字に変わっていきます。"
    ),
    "diffusion.no_shipped": "学習済みの拡散モデルを読み込めません（{reason}）。下の「自分で学習する」で学習できます。",
    "diffusion.digit": "つくる数字",
    "diffusion.guidance": "ガイダンス w：{formula}",
    "diffusion.guidance_help": (
        "w = 0 はラベルを使わない生成、w = 1 はラベル付きのモデルそのまま、w > 1 は"
        "ラベルの方向へさらに強く押します。"
    ),
    "diffusion.steps": "ステップ数（{sampler}）",
    "diffusion.new": "別のノイズ",
    "diffusion.strip_caption": (
        "上の段：ノイズから数字までの途中の画像 $x_t$（左端が出発点）。下の段：その時点でモデルが"
        "「最後はこうなる」と予想した画像 $\\hat{{x}}_0$。{steps} ステップ、{seconds:.2f} 秒。"
    ),
    "diffusion.cnn_reads": "CNN の読み（確信度 {conf:.0%}）",
    "diffusion.animate": "アニメーションで見る",
    "diffusion.animate_reading": (
        "各コマの下の数字は、そのコマの画像を CNN が読んだ結果と確信度です。"
        "まだノイズが半分以上残っているコマでは表示しません。"
    ),
    "diffusion.how": "しくみ：ノイズを足す過程と取り除く過程",
    "diffusion.idea": (
        "**拡散過程（forward）** では、本物の画像 $x_0$ に決まった割合でノイズを混ぜていき、時刻 $t$ の画像 "
        "$x_t$ をつくります。どの $t$ でも $x_t$ は 1 回の計算で直接つくれます。**逆過程（reverse）** では、"
        "ニューラルネットワーク（ここでは約 15 万パラメータの小さな U-Net）が $x_t$ と $t$ と数字のラベルを見て、"
        "ノイズをどちらへ取り除けばよいかを予測します。それを少しずつ繰り返すと、砂嵐が数字になります。"
        "2 つの学習方法は、どちらも「ノイズをデータに変える」ことを学びますが、予測するものと道筋が違います。"
    ),
    "diffusion.ddpm": (
        "**DDPM**：混ぜたノイズ $\\varepsilon$ そのものを当てます。ノイズの量は β スケジュールで決まり、"
        "生成には多くのステップ（本来 1,000 回）を使います。DDIM は同じモデルで数十ステップに縮めます。"
    ),
    "diffusion.flow": (
        "**フローマッチング（rectified flow）**：データとノイズを結ぶ直線の上を動く速度 $v = \\varepsilon - x_0$ を"
        "当てます。道がまっすぐなので、Euler 法で 10〜20 ステップ進むだけでも数字になります。"
    ),
    "diffusion.forward": "拡散過程：数字にノイズを足していく",
    "diffusion.forward_caption": (
        "スライダーで時刻 t（0〜999）を動かすと、同じノイズを 2 つのスケジュールで混ぜた $x_t$ が見えます。"
        "下のグラフは、残っている信号の割合 $\\bar\\alpha_t$、各ステップで足すノイズ $\\beta_t$、"
        "信号とノイズの比（SNR）です。"
    ),
    "diffusion.source": "元の画像",
    "diffusion.source.test": "テスト画像",
    "diffusion.source.drawn": "CNN のページで描いた数字",
    "diffusion.test_index": "テスト画像の番号",
    "diffusion.x_t": "{schedule}：ᾱ = {ab:.3f}",
    "diffusion.schedule.linear": "線形",
    "diffusion.schedule.cosine": "コサイン",
    "diffusion.forward_note": (
        "線形スケジュールは途中で早く信号を失い、後半のステップはほとんど砂嵐のままです。"
        "コサインスケジュールは信号をゆっくり減らすので、どの時刻も学習に役立ちます。"
    ),
    "diffusion.q.alpha_bar": "ᾱ_t（残る信号）",
    "diffusion.q.beta": "β_t（足すノイズ）",
    "diffusion.q.snr": "SNR（対数目盛）",
    "diffusion.samplers": "サンプラーとステップ数",
    "diffusion.samplers_caption": (
        "同じモデルを、ステップ数を変えて生成させます。ステップが少ないほど速く、しかし数字は崩れます。"
        "DDPM で学習したモデル（下の「自分で学習する」）では、1,000 ステップの DDPM と少ないステップの DDIM を比べられます。"
        "「読めた割合」は、0〜9 を順に頼んだサンプルを CNN が頼んだとおりに読んだ割合です。"
    ),
    "diffusion.compare_model": "比べるモデル",
    "diffusion.compare.shipped": "学習済みモデル（{objective}）",
    "diffusion.compare.session": "このセッションで学習したモデル（{objective}）",
    "diffusion.compare": "比べる",
    "diffusion.working": "生成しています…（クラスのだれかが先に始めていれば、その結果が届くのを待ちます）",
    "diffusion.compare_progress": "比べています：{done} / {total} 通り",
    "diffusion.sampler_row": "**{sampler}・{steps} ステップ**  \n100 枚あたり {per_100:.2f} 秒  \n読めた割合 {agreement}",
    "diffusion.guidance_header": "分類器なしガイダンス（classifier-free guidance）",
    "diffusion.guidance_caption": (
        "行が頼んだ数字 0〜9、列がガイダンスの強さ w（{ws}）です。出発点のノイズは全部のマスで同じで、"
        "違うのはラベルと w だけです。w = 0 ではラベルを使わないので、どの行も同じ画像になります。"
        "学習のときにラベルをときどき「ラベルなし」に置き換えたので、1 つのモデルがラベルありとなしの"
        "両方の予測を出せます。"
    ),
    "diffusion.guidance_share": "w = {w:g}：頼んだ数字として読めた割合 {share:.0f}%",
    "diffusion.train": "自分で学習する",
    "diffusion.train_caption": (
        "4,000 枚の MNIST で U-Net を学習します。既定の設定（フローマッチング・20 エポック）なら、"
        "2 コアの CPU で 2 分ほどで数字らしい線が、5 分以内に読める数字が表示されます。"
        "グリッドは毎回同じノイズから生成するので、学習の進み具合を比べられます。"
    ),
    "diffusion.objective": "学習方法",
    "diffusion.objective.flow": "フローマッチング",
    "diffusion.objective.ddpm": "DDPM",
    "diffusion.schedule": "β スケジュール（DDPM）",
    "diffusion.epochs": "エポック数",
    "diffusion.before_train": "「学習」を押すと、損失の推移と生成した数字がここに表示されます。",
    "diffusion.waiting_grid": "最初のサンプルを待っています（2 エポックごとに生成します）。",
    "diffusion.live_grid": "エポック {epoch}：固定したノイズから生成（各行 0〜9）",
    "diffusion.live_grid_help": "CNN が、頼んだ数字として読めた割合と、その平均の確信度です。",
    "diffusion.agreement": "頼んだ数字として読めた割合",
    "diffusion.mean_conf": "平均の確信度",
    "diffusion.t_bin": "時刻 t（0 = データ、1 = ノイズ）",
    "diffusion.judge": "GAN・VAE・拡散モデルを同じ基準で比べる",
    "diffusion.judge_caption": (
        "3 つのページの学習済みモデルから同じ数だけ生成し、同じ CNN に読ませます。ヒストグラムに偏りが"
        "あれば一部の数字しかつくれていない（モード崩壊）ことを、確信度が低ければぼやけた数字を示します。"
        "拡散モデルは、数字を順に頼んだ場合と、GAN・VAE と同じようにラベルなしで生成した場合の両方を示します。"
    ),
    "diffusion.no_cnn": "判定に使う CNN を読み込めません（{reason}）。",
    "diffusion.judge_run": "比べる（各 {n} 枚）",
    "diffusion.judge.gan": "GAN",
    "diffusion.judge.vae": "VAE",
    "diffusion.judge.diffusion": "拡散モデル",
    "diffusion.judge.diffusion_free": "拡散モデル",
    "diffusion.judge_note.gan": "GAN のページの学習済み生成器",
    "diffusion.judge_note.vae": "VAE のページの学習済みモデル",
    "diffusion.judge_note.diffusion": "0〜9 を順に頼んで生成",
    "diffusion.judge_note.diffusion_free": "数字を頼まずに生成（ラベルなし）",
    "diffusion.judge_figures": (
        "平均の確信度 {conf:.2f}  \n確信度 0.9 以上 {confident:.0f}%  \n100 枚あたり {per_100:.2f} 秒"
    ),
    "diffusion.memo": "丸暗記していないか：いちばん近い学習画像",
    "diffusion.memo_caption": (
        "上の段が拡散モデルのサンプル、下の段は 4,000 枚の学習画像のうち画素がいちばん近いものです。"
        "距離（画素の二乗平均平方根）の中央値は {median:.3f}、いちばん近いもので {closest:.3f} でした。"
        "学習に使っていないテスト画像と学習画像の距離の中央値は {test:.3f} です。サンプルの距離が 0 に"
        "近ければ、学習画像をそのまま写していることになります。"
    ),
    "diffusion.review.q1": "拡散過程で、$x_t$ を $x_0$ から 1 回で計算できるのはなぜですか。",
    "diffusion.review.a1": (
        "ガウスノイズを何回足しても、結果はまたガウス分布になるからです。各ステップの割合を掛け合わせた "
        "$\\bar\\alpha_t$ を使うと、$x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\varepsilon$ "
        "と書けます。学習では t を毎回ランダムに選び、この式で $x_t$ を直接つくります。"
    ),
    "diffusion.review.q2": "DDPM とフローマッチングは、それぞれ何を予測するように学習しますか。",
    "diffusion.review.a2": (
        "DDPM は $x_t$ に混ぜたノイズ $\\varepsilon$ を、フローマッチングはノイズからデータへ向かう速度 "
        "$v = \\varepsilon - x_0$ を予測します。どちらも、予測からノイズを取り除く向きが分かるので、"
        "ノイズを少しずつ数字に変えられます。"
    ),
    "diffusion.review.q3": "ステップ数を減らすと、生成はどう変わりますか。",
    "diffusion.review.a3": (
        "ネットワークを呼ぶ回数が減るので速くなります。しかし 1 ステップで進む距離が長くなり、"
        "予測の誤差が大きく効くので、数字が崩れます。「サンプラーとステップ数」で、時間と読めた割合を比べてみましょう。"
    ),
    "diffusion.review.q4": "ガイダンスの強さ w を大きくすると、何が起きますか。w = 0 ではどうなりますか。",
    "diffusion.review.a4": (
        "w を大きくすると、ラベルありの予測とラベルなしの予測の差を強調するので、頼んだ数字らしさが増えます"
        "（大きすぎると形が単調になり、線が太く崩れます）。w = 0 はラベルなしの予測だけを使うので、"
        "どの数字になるかはノイズ次第です。"
    ),
    "diffusion.tradeoff": "w を変えると何が変わるか：測った結果",
    "diffusion.tradeoff.w": "ガイダンスの強さ w",
    "diffusion.tradeoff.agreement": "頼んだ数字として読めた割合（%）",
    "diffusion.tradeoff.band": "t が {lo:g}〜{hi:g} のときだけ",
    "diffusion.tradeoff_caption": (
        "左：FID（小さいほど本物の手書きの集まりに近い）。右：頼んだ数字として読めた割合。線ごとに、"
        "ガイダンスをかける時刻 t の範囲が違います（t = 1 が砂嵐、0 が数字。範囲の外では w = 1）。"
        "w を上げると読めた割合は上がりますが、範囲が全部のままだと FID は悪くなります。数字がみな"
        "お手本のような形になり、手書きのばらつきが消えるからです。範囲を途中の時刻に絞ると両方を保てます。"
        "各点は {n:,} 枚の生成を、下の「採点者」（CNN とは別のネットワーク）が読んだ結果です。"
        "このページの既定は w = {w:g}、範囲 t ∈ ({lo:g}, {hi:g}] です。"
    ),
    "diffusion.table_source": "数値は checkpoints/generative_eval.json（`{command}` で作り直せます）。",
    "diffusion.no_table": "測定結果の表（checkpoints/generative_eval.json）を読み込めません。",
    "diffusion.metrics": "画像の生成モデルの評価指標：別の採点者で測る",
    "diffusion.metrics.model": "モデル",
    "diffusion.metrics.gan": "GAN",
    "diffusion.metrics.cgan": "条件付き GAN",
    "diffusion.metrics.vae": "VAE",
    "diffusion.metrics.diffusion": "拡散モデル（既定の設定）",
    "diffusion.metrics.precision": "適合率 ↑",
    "diffusion.metrics.recall": "再現率 ↑",
    "diffusion.metrics.agreement": "頼んだ数字の割合 ↑",
    "diffusion.metrics.confidence": "平均の確信度",
    "diffusion.metrics.nearest": "最も近い学習画像までの距離",
    "diffusion.metrics.per_100": "100 枚の CPU 秒",
    "diffusion.metrics_caption": (
        "各モデル {n:,} 枚。採点者は、ページの CNN とは構造も乱数の種も違う小さな分類器で、学習用の 4,000 枚"
        "だけで学習しました（checkpoints/judge_mnist.pth）。本物どうしを比べても FID は 0 になりません"
        "（同じ枚数の本物 2 組で {floor:.1f}）。学習に使っていない本物の数字と学習画像の距離の中央値は {real:.3f} です。"
    ),
    "diffusion.metric.fid": (
        "- **FID**：採点者の特徴の平均と広がりを本物と比べます。質と多様性を 1 つの数で評価しますが、"
        "学習画像をそのまま写したモデルにも最高点を付けてしまい、枚数が少ないと大きめに出ます。"
    ),
    "diffusion.metric.precision": (
        "- **適合率（precision）**：生成した画像のうち、本物の集まりの近くにあるものの割合です。"
        "質を評価しますが、同じ数字ばかりでも高くなります。"
    ),
    "diffusion.metric.recall": (
        "- **再現率（recall）**：本物の画像のうち、生成した画像の集まりの近くにあるものの割合です。"
        "多様性を評価しますが、1 枚ずつの質は見ません。"
    ),
    "diffusion.metric.agreement": (
        "- **頼んだ数字の割合**：条件付きのモデルに頼んだ数字として読めた割合です。ラベルに従うかを"
        "評価しますが、お手本のような画一的な数字でも満点になります。"
    ),
    "diffusion.metric.confidence": (
        "- **確信度**：分類器がどれだけ迷わずに読んだかです。くっきりした数字を評価しますが、"
        "多様性は見ず、分類器の癖にも左右されます。"
    ),
    "diffusion.metric.nearest": (
        "- **最も近い学習画像までの距離**：丸暗記していないかを確かめます。0 に近ければ写しです。"
        "ただし少しずらした写しや、一部だけの写しは見逃します。"
    ),
    "diffusion.metric.speed": (
        "- **100 枚の時間**：使いやすさを評価しますが、画像の良さとは関係ありません。"
    ),
    "diffusion.ethics": "生成モデルを使うときに注意すること",
    "diffusion.ethics_body": (
        "- **学習データの同意と著作権**：生成モデルは学習データの特徴を再現します。撮った人・描いた人・"
        "声の持ち主が学習に使うことを認めているか、ライセンスが許しているかを確かめましょう。\n"
        "- **丸暗記**：上の「最も近い学習画像までの距離」がその確かめ方です。学習画像をそのまま写すモデルは"
        " FID では最高点になりますが、他人の作品や個人の写真を出力してしまうおそれがあります。\n"
        "- **ディープフェイクとなりすまし**：コースの「AIボイスを作ってみよう」では実在の政治家の声を例に"
        "使っていますが、本人の許可なく本人らしい声や顔をつくって公開すると、なりすましや名誉の侵害、"
        "選挙への影響につながります。実在の人物で試すのは手元の学習だけにとどめましょう。\n"
        "- **透かしと開示**：生成したものを公開するときは、AI で生成したと明記し、透かしやメタデータで"
        "あとから見分けられるようにしておきます。\n"
        "- **偏り**：モデルは学習データの偏りをそのまま、あるいは強めて再現します。ガイダンスを強く"
        "すると数字がみなお手本の形になったように、多数派の姿だけが出てくることがあります。"
    ),
    "diffusion.review.q5": "画像の生成モデルの評価指標の例を挙げてください（コース 3.6 問 3）。",
    "diffusion.review.a5": (
        "FID（本物と生成の特徴の分布の距離）、適合率と再現率（質と多様性を分けて測る）、Inception Score、"
        "条件付きモデルなら頼んだラベルとして読める割合などです。どれも別の分類器（採点者）の特徴を使い、"
        "1 つの指標だけでは見落としがあるので、いくつかを並べて見ます。"
    ),
    "diffusion.review.q6": "生成モデルの過学習や倫理的な問題について、何に注意すべきですか（コース 3.6 問 4）。",
    "diffusion.review.a6": (
        "過学習したモデルは学習画像を写してしまいます。最も近い学習画像までの距離で確かめます。"
        "ほかに、学習データの同意と著作権、実在の人物のなりすまし（ディープフェイク）、生成物であることの"
        "開示と透かし、学習データの偏りの再現に注意します。"
    ),
    "diffusion.code_caption": "学習の損失（フローマッチングと DDPM）、ガイダンス、2 つのサンプラーです（core/diffusion.py）。",
}

EN = {
    "nav.diffusion": "Diffusion",
    "home.blurb.diffusion": "A digit emerges from noise step by step, judged beside the GAN and the VAE",
    "diffusion.title": "Diffusion: from noise to a digit",
    "diffusion.lead": (
        "Keep adding noise to an image and it ends as static. A diffusion model learns the reverse: **removing "
        "the noise a little at a time**. Pick a digit on the right; on the left, one image of static becomes it."
    ),
    "diffusion.no_shipped": "The trained diffusion model cannot be loaded ({reason}). Train one below.",
    "diffusion.digit": "Digit to make",
    "diffusion.guidance": "Guidance w: {formula}",
    "diffusion.guidance_help": (
        "w = 0 ignores the label, w = 1 is the conditional model as it is, w > 1 pushes further "
        "towards the label."
    ),
    "diffusion.steps": "Steps ({sampler})",
    "diffusion.new": "Other noise",
    "diffusion.strip_caption": (
        "Above: the image $x_t$ on its way from noise (left) to the digit. Below: the model's guess at that "
        "moment of the final digit, $\\hat{{x}}_0$. {steps} steps, {seconds:.2f} s."
    ),
    "diffusion.cnn_reads": "The CNN reads (confidence {conf:.0%})",
    "diffusion.animate": "Animate",
    "diffusion.animate_reading": (
        "Below each frame: the digit the CNN reads in that very frame, and its confidence. "
        "Frames that are still more than half noise show none."
    ),
    "diffusion.how": "How it works: adding noise, and taking it away",
    "diffusion.idea": (
        "The **forward process** mixes noise into a real image $x_0$ in set amounts, giving the image $x_t$ at "
        "time $t$; any $x_t$ can be made from $x_0$ in one step. In the **reverse process** a neural network "
        "(here a small U-Net of about 150,000 parameters) looks at $x_t$, $t$ and the digit's label and predicts "
        "which way to remove the noise; repeating that a little at a time turns static into a digit. Both "
        "training methods learn to turn noise into data; they differ in what they predict and in the path."
    ),
    "diffusion.ddpm": (
        "**DDPM** predicts the noise $\\varepsilon$ that was mixed in. The amount of noise follows a β "
        "schedule, and sampling takes many steps (1,000 in the paper); DDIM cuts that to tens with the same model."
    ),
    "diffusion.flow": (
        "**Flow matching (rectified flow)** predicts the velocity $v = \\varepsilon - x_0$ along the straight "
        "line between data and noise. The path is straight, so 10–20 Euler steps already give digits."
    ),
    "diffusion.forward": "The forward process: adding noise to a digit",
    "diffusion.forward_caption": (
        "Move the time t (0–999) to see $x_t$: the same noise mixed in under the two schedules. The plots "
        "show the share of the signal kept, $\\bar\\alpha_t$, the noise added at each step, $\\beta_t$, and the "
        "signal-to-noise ratio (SNR)."
    ),
    "diffusion.source": "Image",
    "diffusion.source.test": "test digit",
    "diffusion.source.drawn": "your drawing on the CNN page",
    "diffusion.test_index": "Test digit number",
    "diffusion.x_t": "{schedule}: ᾱ = {ab:.3f}",
    "diffusion.schedule.linear": "linear",
    "diffusion.schedule.cosine": "cosine",
    "diffusion.forward_note": (
        "The linear schedule loses the signal early: its later steps are almost pure static. The cosine "
        "schedule lowers the signal slowly, so every time step is useful for learning."
    ),
    "diffusion.q.alpha_bar": "ᾱ_t (signal kept)",
    "diffusion.q.beta": "β_t (noise added)",
    "diffusion.q.snr": "SNR (log scale)",
    "diffusion.samplers": "Samplers and steps",
    "diffusion.samplers_caption": (
        "The same model, sampled with fewer and fewer steps: fewer steps are faster, and the digits fall "
        'apart. A model trained with DDPM ("Train your own" below) sets 1,000-step DDPM against few-step DDIM. '
        '"Read as asked" is the share of samples (digits 0–9 in turn) the CNN reads as the digit asked for.'
    ),
    "diffusion.compare_model": "Model to compare",
    "diffusion.compare.shipped": "the trained model ({objective})",
    "diffusion.compare.session": "the model trained in this session ({objective})",
    "diffusion.compare": "Compare",
    "diffusion.working": "Sampling… (if someone in the class started it first, you wait for their result)",
    "diffusion.compare_progress": "Comparing: {done} of {total} settings done",
    "diffusion.sampler_row": "**{sampler}, {steps} steps**  \n{per_100:.2f} s per 100 samples  \nread as asked {agreement}",
    "diffusion.guidance_header": "Classifier-free guidance",
    "diffusion.guidance_caption": (
        "One row per digit asked for, one column per guidance scale w ({ws}). Every cell starts from the same "
        "noise; only the label and w change. At w = 0 the label is not used, so every row shows the same image. "
        'In training the label was now and then replaced by "no label", so one model gives both the labelled '
        "and the unlabelled prediction."
    ),
    "diffusion.guidance_share": "w = {w:g}: read as the digit asked for {share:.0f}%",
    "diffusion.train": "Train your own",
    "diffusion.train_caption": (
        "Trains the U-Net on 4,000 MNIST digits. With the defaults (flow matching, 20 epochs) a 2-core CPU "
        "shows digit-like strokes after about 2 minutes and readable digits within 5. The grid is drawn from "
        "the same noise every time, so you can compare the epochs."
    ),
    "diffusion.objective": "Objective",
    "diffusion.objective.flow": "flow matching",
    "diffusion.objective.ddpm": "DDPM",
    "diffusion.schedule": "β schedule (DDPM)",
    "diffusion.epochs": "Epochs",
    "diffusion.before_train": "Press Train: the loss and the generated digits appear here.",
    "diffusion.waiting_grid": "Waiting for the first samples (drawn every 2 epochs).",
    "diffusion.live_grid": "Epoch {epoch}: sampled from fixed noise (each row 0–9)",
    "diffusion.live_grid_help": "The share the CNN reads as the digit asked for, and its mean confidence.",
    "diffusion.agreement": "Read as the digit asked for",
    "diffusion.mean_conf": "Mean confidence",
    "diffusion.t_bin": "time t (0 = data, 1 = noise)",
    "diffusion.judge": "GAN vs VAE vs diffusion, on the same judge",
    "diffusion.judge_caption": (
        "The trained models of three pages make the same number of samples, and the same CNN reads them. A "
        "lopsided histogram means only some digits come out (mode collapse); low confidence, blurry digits. The "
        "diffusion model is shown asked for the digits in turn, and without a label, as the GAN and the VAE are."
    ),
    "diffusion.no_cnn": "The CNN that judges the samples cannot be loaded ({reason}).",
    "diffusion.judge_run": "Compare ({n} samples each)",
    "diffusion.judge.gan": "GAN",
    "diffusion.judge.vae": "VAE",
    "diffusion.judge.diffusion": "Diffusion",
    "diffusion.judge.diffusion_free": "Diffusion",
    "diffusion.judge_note.gan": "The GAN page's trained generator",
    "diffusion.judge_note.vae": "The VAE page's trained model",
    "diffusion.judge_note.diffusion": "Asked for the digits 0–9 in turn",
    "diffusion.judge_note.diffusion_free": "Asked for no digit (no label)",
    "diffusion.judge_figures": (
        "mean confidence {conf:.2f}  \nconfidence ≥ 0.9: {confident:.0f}%  \n{per_100:.2f} s per 100 samples"
    ),
    "diffusion.memo": "Did it memorise? The nearest training digit",
    "diffusion.memo_caption": (
        "Above: the diffusion model's samples; below: the closest of the 4,000 training digits, pixel by pixel. "
        "The median distance (root mean square over the pixels) is {median:.3f}, the closest {closest:.3f}; "
        "test digits, never trained on, lie at a median {test:.3f} from the training digits. Distances near 0 "
        "would mean the model copies its training digits."
    ),
    "diffusion.review.q1": "Why can the forward process compute $x_t$ from $x_0$ in one step?",
    "diffusion.review.a1": (
        "Gaussian noise added any number of times is still Gaussian. With $\\bar\\alpha_t$, the product of the "
        "shares kept at each step, $x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\varepsilon$. "
        "Training picks a random t each time and makes $x_t$ directly with it."
    ),
    "diffusion.review.q2": "What does DDPM learn to predict, and what does flow matching?",
    "diffusion.review.a2": (
        "DDPM predicts the noise $\\varepsilon$ mixed into $x_t$; flow matching the velocity $v = \\varepsilon - "
        "x_0$ from noise towards data. Either prediction says which way to remove noise, so noise can be turned "
        "into a digit a little at a time."
    ),
    "diffusion.review.q3": "What changes when sampling uses fewer steps?",
    "diffusion.review.a3": (
        "The network is called fewer times, so it is faster; but each step goes further and the prediction's "
        "errors count for more, so the digits fall apart. Compare the time and the share read as asked in "
        '"Samplers and steps".'
    ),
    "diffusion.review.q4": "What happens as the guidance scale w grows? And at w = 0?",
    "diffusion.review.a4": (
        "A larger w stresses the difference between the labelled and the unlabelled prediction, so samples look "
        "more like the digit asked for (too large, and strokes become thick and uniform). At w = 0 only the "
        "unlabelled prediction is used: which digit comes out depends on the noise."
    ),
    "diffusion.tradeoff": "What w changes: the measured trade-off",
    "diffusion.tradeoff.w": "guidance scale w",
    "diffusion.tradeoff.agreement": "read as the digit asked for (%)",
    "diffusion.tradeoff.band": "only for t in {lo:g}–{hi:g}",
    "diffusion.tradeoff_caption": (
        "Left: FID (lower is closer to the real handwriting as a whole). Right: the share read as the digit "
        "asked for. Each line applies guidance in another range of times t (t = 1 is pure noise, 0 the digit; "
        "w = 1 outside the range). A larger w raises the share read right, but with the whole range the FID "
        "gets worse: every digit becomes a textbook shape and the variety of handwriting is lost. Limiting "
        "guidance to the middle times keeps both. Each point is {n:,} samples read by the judge below (a network "
        "other than the CNN). This page's default is w = {w:g} for t in ({lo:g}, {hi:g}]."
    ),
    "diffusion.table_source": "Figures from checkpoints/generative_eval.json (`{command}` remakes it).",
    "diffusion.no_table": "The table of measurements (checkpoints/generative_eval.json) cannot be read.",
    "diffusion.metrics": "Evaluation metrics of image generators, on an independent judge",
    "diffusion.metrics.model": "model",
    "diffusion.metrics.gan": "GAN",
    "diffusion.metrics.cgan": "Conditional GAN",
    "diffusion.metrics.vae": "VAE",
    "diffusion.metrics.diffusion": "Diffusion (default setting)",
    "diffusion.metrics.precision": "precision ↑",
    "diffusion.metrics.recall": "recall ↑",
    "diffusion.metrics.agreement": "read as asked ↑",
    "diffusion.metrics.confidence": "mean confidence",
    "diffusion.metrics.nearest": "distance to nearest training digit",
    "diffusion.metrics.per_100": "CPU s per 100",
    "diffusion.metrics_caption": (
        "{n:,} samples per model. The judge is a small classifier with another architecture and another seed "
        "than the page's CNN, trained on the 4,000 training digits only (checkpoints/judge_mnist.pth). Real "
        "digits against real digits do not give FID 0 ({floor:.1f} for two real sets of the same size). Real "
        "digits no model saw lie {real:.3f} from their nearest training digit (median)."
    ),
    "diffusion.metric.fid": (
        "- **FID**: compares the mean and spread of the judge's features with the real digits'. Rewards "
        "quality and variety in one number; misses copying (a model that returns its training digits scores "
        "best) and is biased upwards with few samples."
    ),
    "diffusion.metric.precision": (
        "- **Precision**: the share of samples that lie near the real digits. Rewards quality; misses "
        "variety (one digit drawn well scores high)."
    ),
    "diffusion.metric.recall": (
        "- **Recall**: the share of real digits that lie near some sample. Rewards variety; misses the "
        "quality of each sample."
    ),
    "diffusion.metric.agreement": (
        "- **Read as asked**: the share of a conditional model's samples read as the digit asked for. Rewards "
        "following the label; misses variety (identical textbook digits score 100 %)."
    ),
    "diffusion.metric.confidence": (
        "- **Confidence**: how sure the classifier is. Rewards crisp digits; misses variety and inherits the "
        "classifier's quirks."
    ),
    "diffusion.metric.nearest": (
        "- **Distance to the nearest training digit**: checks for memorisation; a copy is at 0. Misses "
        "shifted copies and copies of a part."
    ),
    "diffusion.metric.speed": "- **Time per 100 samples**: rewards a usable model; says nothing of quality.",
    "diffusion.ethics": "What to watch for when using generative models",
    "diffusion.ethics_body": (
        "- **Consent and copyright of training data**: a generator reproduces what it was trained on. Check "
        "that the people who took the photos, drew the pictures or own the voices agreed, and that the "
        "licence allows it.\n"
        "- **Memorisation**: the distance to the nearest training digit above is how to check. A model that "
        "copies its training images gets the best FID, yet it may output someone's work or a private photo.\n"
        "- **Deepfakes and impersonation**: the course's column \"make an AI voice\" uses a real politician's "
        "voice as its example. Publishing a voice or face made to pass as a real person without their consent "
        "leads to impersonation, defamation and election interference. Keep such experiments on your own "
        "machine.\n"
        "- **Watermarking and disclosure**: when you publish generated content, say that it was generated, and "
        "keep a watermark or metadata so that it can be recognised later.\n"
        "- **Bias**: a model reproduces, or amplifies, the biases of its data. As strong guidance turned every "
        "digit into the textbook shape, a model may show only the majority's look."
    ),
    "diffusion.review.q5": "Give examples of evaluation metrics for image generators (course 3.6, question 3).",
    "diffusion.review.a5": (
        "FID (the distance between the feature distributions of real and generated images), precision and "
        "recall (quality and variety apart), the Inception Score, and for a conditional model the share read "
        "as the label asked for. All use the features of another classifier (a judge), and each misses "
        "something, so several are read side by side."
    ),
    "diffusion.review.q6": (
        "What should you watch for with overfitting and the ethics of generative models (course 3.6, question 4)?"
    ),
    "diffusion.review.a6": (
        "An overfitted model copies its training images: check the distance to the nearest training digit. "
        "Also: consent and copyright of the training data, impersonation of real people (deepfakes), "
        "disclosure and watermarks on generated content, and the biases of the data it reproduces."
    ),
    "diffusion.code_caption": "The training losses (flow matching and DDPM), guidance and the two samplers (core/diffusion.py).",
}
