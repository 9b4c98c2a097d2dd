"""VAE page (course 004, ch. 2): autoencoder, CNN autoencoder, variational autoencoder."""

JA = {
    "nav.vae": "VAE",
    "home.blurb.vae": "2 次元の潜在空間をクリックして数字を作る",
    "vae.title": "AE と VAE：潜在空間を探検する",
    "vae.lead": (
        "テスト画像 1 枚 1 枚を、エンコーダが 2 つの数 $z = (z_1, z_2)$ に縮めて点として描いた地図です。"
        "地図のどこかをクリックすると、その点の $z$ をデコーダが画像に戻して右に表示します。"
    ),
    "vae.how": "しくみ：エンコーダとデコーダ、再パラメータ化、損失",
    "vae.intro": (
        "オートエンコーダは、画像をいったん少数の数（**潜在変数** $z$）に圧縮する**エンコーダ**と、"
        "そこから画像を復元する**デコーダ**を組み合わせたモデルです。潜在空間を 2 次元にすると、"
        "数字がどこに置かれたかを地図のように描けます。ただし普通のオートエンコーダでは、クラスタが"
        "ばらばらに広がり、すき間に点を置くと複数の数字が混ざった画像になります。"
        "**変分オートエンコーダ（VAE）** は、エンコーダが平均 $\\mu$ と対数分散 $\\log\\sigma^2$ を出し、"
        "そこからサンプリングした $z$ をデコーダに渡します。損失に KL 項を加えて $z$ の分布を "
        "$\\mathcal{N}(0, I)$ に近づけるので、潜在空間がすき間なく均等に埋まります。"
    ),
    "vae.reparam": "**再パラメータ化トリック**：乱数 $\\varepsilon$ を外に出すことで、$\\mu$ と $\\sigma$ に勾配が流れます。",
    "vae.kl": "**損失**：再構成誤差（BCE）と、$\\beta$ 倍した KL ダイバージェンスの和です。",
    "vae.compare": "AE と VAE の潜在空間を比べる",
    "vae.compare.ae": "AE（2 次元）",
    "vae.compare.vae": "VAE（2 次元）",
    "vae.compare_caption": (
        "同じテスト画像 1,000 枚をエンコードした位置を、正解ラベルで色分けしました。"
        "AE（左）は座標の範囲が広く、クラスタの間にすき間があります。VAE（右）はおよそ −3〜3 の範囲にまとまっています。"
    ),
    "vae.shipped_title": "同梱のモデルと教材の構成の違い",
    "vae.shipped_note": (
        "同梱の 2 次元モデルは、教材の構成に 2 つの工夫を加えて学習しました。潜在変数 $z$ の前後に全結合層"
        "（{hidden} ユニット）を 1 つずつ入れたことと、学習中は入力の画素の一部を消して少しずらし、"
        "元の画像を復元させたこと（ノイズ除去）です。学習データが 4,000 枚しかなくても、テスト用の数字を"
        "読み取れる形で再構成しやすくなります。下の「自分で学習する」は教材どおりの構成です。"
    ),
    "vae.model.ae": "CNN オートエンコーダ（2 次元）",
    "vae.model.vae": "VAE（2 次元）",
    "vae.model.vae16": "VAE（16 次元）",
    "vae.model.session": "このセッションで学習したモデル",
    "vae.train_instead": "下の「自分で学習する」で、このページの中でモデルを学習できます。",
    "vae.no_model": "使える学習済みモデルがありません。下で学習してください。",
    "vae.which": "モデル",
    "vae.pca": "潜在空間は {d} 次元です。地図には主成分分析（PCA）で 2 次元に写した位置を描いています。クリックした点は、その平面上の潜在ベクトルとしてデコードされます。",
    "vae.click_hint": "すき間をクリックしても、その点の潜在ベクトルがデコードされます。右のスライダーでも ★ を動かせます。",
    "vae.here": "デコード中の点",
    "vae.drawn": "描いた数字",
    "vae.decoded": "z = ({z1:.2f}, {z2:.2f}) をデコード",
    "vae.cnn_reads": "CNN の判定（確信度 {conf:.0%}）",
    "vae.more": "同じモデルを別の見方で",
    "vae.tab.manifold": "全体像（マニフォールド）",
    "vae.tab.recon": "再構成",
    "vae.tab.draw": "描いた数字",
    "vae.tab.interp": "補間",
    "vae.tab.prior": "N(0, I) から生成",
    "vae.manifold_caption": "潜在平面の格子 15×15 点（z₁: {x0:.1f}〜{x1:.1f}、z₂: {y0:.1f}〜{y1:.1f}）をそれぞれデコードして並べました。上ほど z₂ が大きい点です。",
    "vae.recon_caption": "上の段が入力、下の段が出力です。テスト画像をエンコードし（平均 μ を使用）、デコードし直した結果です。潜在空間が 2 次元だと細部が失われ、ぼやけます。16 次元のモデルと比べてみましょう。",
    "vae.draw_caption": "黒い枠の中にマウスで数字を描くと、28×28 に縮めた入力と再構成、潜在空間のどこに置かれたか（◆）が表示されます。数字でない形を描くと、モデルが表せないものがわかります。",
    "vae.clear": "消す",
    "vae.draw_empty": "左の枠に数字を描いてください。",
    "vae.draw_result": "入力（左）と再構成（右）",
    "vae.interp_a": "始点（テスト画像の番号）",
    "vae.interp_b": "終点（テスト画像の番号）",
    "vae.interp_caption": "2 つの数字の間の補間：{a} から {b} へ、潜在空間の直線上の 10 点をデコードしました。",
    "vae.prior_caption": "z を標準正規分布から 20 個サンプリングし、デコードしました。VAE では潜在空間が N(0, I) に合わせて学習されているので、多くがちゃんとした数字になります。",
    "vae.likely": "最も確からしい画像で見る",
    "vae.likely_help": (
        "デコーダーは各画素が黒くなる確率を出します。ふだんはその確率（平均の画像）を濃さとして描きます。"
        "オンにすると、確率が 1/2 を超えた画素だけを黒くした「最も確からしい画像」を描きます。"
    ),
    "vae.mean_caption": (
        "平均の画像：同じ z に置かれうる数字をすべて平均したような画像なので、ぼやけます。"
        "VAE の生成画像がぼやけて見えるおもな理由です。"
    ),
    "vae.likely_caption": (
        "最も確からしい画像：同じ 20 個の z から、確率が 1/2 を超えた画素だけを黒くしました。線がくっきりし、"
        "別の分類器で測る FID（本物の数字との近さ）もずっと良くなります。ただし、画素ごとの迷いは見えなくなります。"
    ),
    "vae.prior_caption_ae": "AE の潜在空間は N(0, I) に合わせて学習されていないので、同じ方法で z を選ぶと数字らしくない画像や偏った数字が多くなります。これが VAE を使う理由です。",
    "vae.train": "自分で学習する",
    "vae.train_caption": "AE か VAE を、このセッションの中で学習します。エポックごとに損失のグラフ、潜在空間の地図、マニフォールドが更新されます。β を大きくすると潜在空間が N(0, I) に強く引き寄せられ、小さくすると再構成が鮮明になる代わりにすき間ができます。",
    "vae.kind": "モデル",
    "vae.kind.vae": "VAE",
    "vae.kind.ae": "CNN オートエンコーダ",
    "vae.kind.dense": "全結合オートエンコーダ（784-256-128-潜在-128-256-784）",
    "vae.beta_help": "損失の KL 項にかける重み β。1 が本来の VAE、0 ならほぼ普通の AE です。",
    "vae.latent": "潜在空間の次元",
    "vae.latent_help": "2 次元なら地図にそのまま描けます。16 次元では再構成が鮮明になります（地図は PCA で描きます）。",
    "vae.epochs": "エポック数",
    "vae.train.step": "ミニバッチ {batch} / {batches}：再構成誤差 {recon:.1f}、KL {kl:.2f}",
    "vae.train.manifold": "エポック {epoch} のマニフォールド",
    "vae.curve.recon": "再構成誤差（学習）",
    "vae.curve.val_recon": "再構成誤差（テスト）",
    "vae.curve.recon_axis": "再構成誤差（BCE／画像）",
    "vae.trained_ready": "学習したモデルは、上の「モデル」で「このセッションで学習したモデル」を選ぶと探検できます。",
}

EN = {
    "nav.vae": "VAE",
    "home.blurb.vae": "Click anywhere in a 2-D latent space to make a digit",
    "vae.title": "AE and VAE: the latent space",
    "vae.lead": (
        "Each dot is a test digit that the encoder squeezed into two numbers $z = (z_1, z_2)$. Click "
        "anywhere on the map: the decoder turns the $z$ of that point back into an image, on the right."
    ),
    "vae.how": "How it works: encoder and decoder, reparameterisation, loss",
    "vae.intro": (
        "An autoencoder pairs an **encoder**, which squeezes an image into a few numbers (the **latent** "
        "$z$), with a **decoder**, which rebuilds the image from them. With a 2-D latent space we can draw "
        "where each digit lands, like a map. A plain autoencoder scatters its clusters, and a point in a gap "
        "decodes to a blend of several digits. A **variational autoencoder (VAE)** has the encoder output a "
        "mean $\\mu$ and a log-variance $\\log\\sigma^2$, samples $z$ from them, and adds a KL term to the loss "
        "that pulls the codes towards $\\mathcal{N}(0, I)$, so the space fills evenly, without gaps."
    ),
    "vae.reparam": "**The reparameterisation trick**: moving the noise $\\varepsilon$ outside lets gradients flow to $\\mu$ and $\\sigma$.",
    "vae.kl": "**The loss**: reconstruction error (BCE) plus $\\beta$ times the KL divergence.",
    "vae.compare": "AE and VAE latent spaces side by side",
    "vae.compare.ae": "AE (2-D)",
    "vae.compare.vae": "VAE (2-D)",
    "vae.compare_caption": (
        "The same 1,000 test digits, encoded and coloured by their true label. The AE (left) spreads over a "
        "wide range with gaps between clusters; the VAE (right) stays within about −3 to 3."
    ),
    "vae.shipped_title": "How the shipped models differ from the notes' design",
    "vae.shipped_note": (
        "The shipped 2-D models add two things to the notes' design: one dense layer ({hidden} units) on each "
        "side of the code, and denoising training (some input pixels are blanked and the digit is shifted "
        "slightly, while the model must rebuild the original). With only 4,000 training digits, test digits "
        "then come back recognisable more often. “Train your own” below uses the notes' design."
    ),
    "vae.model.ae": "CNN autoencoder (2-D)",
    "vae.model.vae": "VAE (2-D)",
    "vae.model.vae16": "VAE (16-D)",
    "vae.model.session": "Model trained in this session",
    "vae.train_instead": "You can train a model on this page under “Train your own” below.",
    "vae.no_model": "No trained model is available. Train one below.",
    "vae.which": "Model",
    "vae.pca": "The latent space has {d} dimensions; the map shows a 2-D PCA projection. A click decodes the latent vector at that point of the plane.",
    "vae.click_hint": "A click in a gap decodes the latent vector there too. The sliders on the right move the ★ as well.",
    "vae.here": "decoded point",
    "vae.drawn": "your drawing",
    "vae.decoded": "decoded from z = ({z1:.2f}, {z2:.2f})",
    "vae.cnn_reads": "The CNN reads (confidence {conf:.0%})",
    "vae.more": "Other views of the same model",
    "vae.tab.manifold": "The whole space (manifold)",
    "vae.tab.recon": "Reconstructions",
    "vae.tab.draw": "Your drawing",
    "vae.tab.interp": "Interpolation",
    "vae.tab.prior": "Sampling N(0, I)",
    "vae.manifold_caption": "A 15×15 grid of the latent plane (z₁: {x0:.1f} to {x1:.1f}, z₂: {y0:.1f} to {y1:.1f}), each point decoded. Higher rows have larger z₂.",
    "vae.recon_caption": "Inputs above, outputs below: test digits encoded (using the mean μ) and decoded again. With only 2 latent dimensions details are lost and the digits blur; compare with the 16-D model.",
    "vae.draw_caption": "Draw a digit in the black box: you see the 28×28 input, its reconstruction and where it lands on the map (◆). Draw something that is not a digit to see what the model cannot represent.",
    "vae.clear": "Clear",
    "vae.draw_empty": "Draw a digit in the box on the left.",
    "vae.draw_result": "input (left) and reconstruction (right)",
    "vae.interp_a": "Start (test image number)",
    "vae.interp_b": "End (test image number)",
    "vae.interp_caption": "Interpolating between two digits, from {a} to {b}: 10 points on the straight line through the latent space, decoded.",
    "vae.prior_caption": "20 codes z drawn from the standard normal and decoded. A VAE's latent space is trained to match N(0, I), so most of them are proper digits.",
    "vae.likely": "Show the most likely image",
    "vae.likely_help": (
        "The decoder gives each pixel a probability of being ink. Normally that probability (the mean image) "
        "is drawn as the shade; switched on, only pixels above 1/2 are inked: the most likely image."
    ),
    "vae.mean_caption": (
        "The mean image: like an average of every digit that could sit at this z, so it blurs. This is the "
        "main reason VAE samples look blurry."
    ),
    "vae.likely_caption": (
        "The most likely image: the same 20 codes, with only the pixels above probability 1/2 inked. The strokes "
        "are crisp and the FID measured by a separate classifier (closeness to real digits) is much better; "
        "what the model was unsure about no longer shows."
    ),
    "vae.prior_caption_ae": "An AE's latent space is not trained to match N(0, I), so codes picked this way often decode to non-digits or to a few digits only. That is why we use a VAE.",
    "vae.train": "Train your own",
    "vae.train_caption": "Train an AE or a VAE in this session. The loss curves, the latent map and the manifold refresh every epoch. A larger β pulls the space harder towards N(0, I); a smaller one gives sharper reconstructions but leaves gaps.",
    "vae.kind": "Model",
    "vae.kind.vae": "VAE",
    "vae.kind.ae": "CNN autoencoder",
    "vae.kind.dense": "Dense autoencoder (784-256-128-latent-128-256-784)",
    "vae.beta_help": "Weight β of the KL term in the loss. 1 is the proper VAE; 0 makes it nearly a plain AE.",
    "vae.latent": "Latent dimensions",
    "vae.latent_help": "2 dimensions draw directly as a map; 16 reconstruct more sharply (the map then uses PCA).",
    "vae.epochs": "Epochs",
    "vae.train.step": "Batch {batch} / {batches}: reconstruction {recon:.1f}, KL {kl:.2f}",
    "vae.train.manifold": "Manifold after epoch {epoch}",
    "vae.curve.recon": "reconstruction (train)",
    "vae.curve.val_recon": "reconstruction (test)",
    "vae.curve.recon_axis": "reconstruction (BCE per image)",
    "vae.trained_ready": "To explore the model you trained, choose “Model trained in this session” under Model above.",
}
