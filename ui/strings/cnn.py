"""Strings of the CNN page (course 000, Part 2)."""

JA = {
    "nav.cnn": "CNN（MNIST）",
    "home.blurb.cnn": "描いた数字を CNN が読む。中の特徴マップも見える",
    "cnn.title": "CNN で手書き数字を読む",
    "cnn.intro": (
        "第2部の `mnist_cnn.py` と同じ CNN です。描いた数字やアップロードした画像を MNIST と同じ手順で"
        " 28×28 に整えてから推論します。中の特徴マップを見たり、評価したり、学習し直したりもできます。"
    ),
    "cnn.no_shipped": "{reason}",  # the reason alone, as ckpt.* words it
    "cnn.train_instead": "「学習」タブで、このセッション用のモデルをその場で学習できます。",
    "cnn.shipped_meta": (
        "同梱モデル：チャネル数 {c1}/{c2}、{epochs} エポック学習、テストデータ {n} 枚で正解率 {acc:.1f}%"
    ),
    "cnn.model": "使うモデル",
    "cnn.model.shipped": "同梱の学習済みモデル",
    "cnn.model.session": "このセッションで学習したモデル",
    "cnn.model.uploaded": "アップロードしたモデル",
    "cnn.no_model": "使えるモデルがありません。「学習」タブで学習するか、.pth ファイルをアップロードしてください。",
    "cnn.tab.draw": "描いて推論",
    "cnn.tab.upload": "画像をアップロード",
    "cnn.tab.inside": "中をのぞく",
    "cnn.tab.eval": "評価",
    "cnn.tab.train": "学習",
    "cnn.draw.intro": "黒い四角の中に 0〜9 の数字を 1 つ大きく描いてください。描くたびに読み直します。",
    "cnn.parts.found": "数字が **{n} 個** 見つかったので、左から 1 つずつ読みました：**{digits}**",
    "cnn.parts.one": "1 つの数字として読ませたいときは、数字を 1 つだけ描いてください。",
    "cnn.parts.item": "{digit}（{p:.0f}%）",
    "cnn.parts.many": "インクのかたまりが {n} 個もあり、数字として読めません。数字を 1 つだけ描いてください。",
    "cnn.parts.source": "入力（赤枠＝1 つずつ読んだ数字）",
    "cnn.parts.steps": "**前処理**：数字ごとに切り出し、それぞれを MNIST と同じ手順で 28×28 に整えてから読みました。",
    "cnn.stroke": "線の太さ",
    "cnn.clear": "消す",
    "cnn.undo_hint": "キャンバスにマウスを乗せると出るツールバーで、1 画ずつ取り消せます（↶）。",
    "cnn.blank": "キャンバスはまだ空です。数字を 1 つ描いてみましょう。",
    "cnn.prediction": "予測",
    "cnn.confidence": "確信度 {p:.0f}%",
    "cnn.digit": "数字",
    "cnn.probability": "確率",
    "cnn.steps": "**前処理の各段階**（MNIST と同じ手順：インクを切り出し、縦横比を保って 20×20 に縮め、28×28 の中で重心を中央に置く）",
    "cnn.step.source": "入力（赤枠＝インク）",
    "cnn.step.cropped": "切り出し（{h}×{w}）",
    "cnn.step.scaled": "20×20 に収める（{h}×{w}）",
    "cnn.step.final": "28×28・重心を中央へ（{dy}, {dx}）",
    "cnn.upload.intro": (
        "白い紙に黒いペンで書いた写真でも、自動で白黒を反転して読みます。数字がいくつか並んでいれば、"
        "左から 1 つずつ読みます。"
    ),
    "cnn.upload.label": "数字の画像ファイル（PNG・JPEG・BMP・GIF・WebP、10 MB まで）",
    "cnn.upload.blank": "画像の中に数字（インク）が見つかりませんでした。",
    "cnn.upload.err.empty": "ファイルが空です（0 バイト）。",
    "cnn.upload.err.too_large": "ファイルが大きすぎます（10 MB まで）。",
    "cnn.upload.err.too_many_pixels": "画像の画素数が多すぎます（4,000 万画素まで）。縮小してからアップロードしてください。",
    "cnn.upload.err.not_image": "このファイルは画像として読めません。PNG・JPEG などの画像ファイルを選んでください。",
    "cnn.upload.err.format": "この画像形式（{format}）には対応していません。PNG・JPEG・BMP・GIF を使ってください。",
    "cnn.upload.err.damaged": "画像ファイルが壊れているか、途中で切れています。",
    "cnn.inside.intro": "CNN が 1 枚の画像をどう処理しているかを、層ごとに見てみましょう。",
    "cnn.inside.source": "見る画像",
    "cnn.inside.src.draw": "描いた数字",
    "cnn.inside.src.upload": "アップロードした画像",
    "cnn.inside.src.test": "テストデータの画像",
    "cnn.inside.index": "テスト画像の番号",
    "cnn.inside.refresh": "最新の画像で更新",
    "cnn.inside.none.draw": "まだ何も描いていません。「描いて推論」タブで数字を描いてから「最新の画像で更新」を押してください。",
    "cnn.inside.none.upload": "まだ画像をアップロードしていません。「画像をアップロード」タブで読み込んでください。",
    "cnn.inside.why_caption": (
        "サリエンシーは、各画素を少し変えたときに予測の確率がどれだけ動くか（勾配）です。"
        "オクルージョンは、6×6 の範囲を黒く隠したときに確率がどれだけ下がるかです。赤いほど判断に効いています。"
    ),
    "cnn.inside.input": "入力（28×28）",
    "cnn.inside.how": "畳み込みとプーリングのしくみ",
    "cnn.inside.shapes": "各層の出力の形",
    "cnn.inside.layer": "層",
    "cnn.inside.shape": "出力の形（チャネル × 高さ × 幅）",
    "cnn.inside.conv": (
        "**畳み込み**：3×3 の小さなフィルタ（カーネル）を画像の上で 1 画素ずつずらしながら、重なった画素と"
        "重みの積和を計算します。同じフィルタを画像全体で使い回すので、全結合層よりずっと少ないパラメータで"
        "縦線・横線・斜めの縁のような局所的な特徴を、どの位置にあっても見つけられます。"
    ),
    "cnn.inside.pool": (
        "**プーリング**：2×2 の範囲ごとに最大値だけを残して、特徴マップを縦横半分にします。"
        "特徴の位置が少しずれても結果が変わりにくくなり、計算量も減ります。"
    ),
    "cnn.inside.kernels": "conv1 の {n} 個のカーネル（3×3。赤が正、青が負の重み）",
    "cnn.inside.maps1": "**conv1 の特徴マップ**（{n} 枚、26×26、ReLU の後）：明るいところほど、そのフィルタが強く反応しています。",
    "cnn.inside.maps2": "**conv2 の特徴マップ**（{n} 枚、11×11）：conv1 の特徴を組み合わせた、より大きな形への反応です。",
    "cnn.inside.why": "**どの画素が「{digit}」という判断に効いたか**",
    "cnn.inside.saliency": "サリエンシー（勾配の大きさ）",
    "cnn.inside.occlusion": "オクルージョン（6×6 を隠したときの確率の低下）",
    "cnn.sandbox.title": "出力サイズの計算",
    "cnn.sandbox.intro": "入力の大きさ・カーネル・ストライド・パディングを変えると、畳み込みの出力サイズがどう変わるか確かめましょう。",
    "cnn.sandbox.size": "入力の大きさ",
    "cnn.sandbox.kernel": "カーネル",
    "cnn.sandbox.stride": "ストライド",
    "cnn.sandbox.padding": "パディング",
    "cnn.sandbox.out": "出力の大きさ",
    "cnn.sandbox.too_small": (
        "カーネル（{kernel}）が、パディングを足した入力の大きさ（{padded}）より大きく、はみ出してしまうので"
        "出力がありません。カーネルを小さくするか、パディングを増やしてください。"
    ),
    "cnn.sandbox.pool": "続けて 2×2 の最大値プーリングをすると {n} になります。",
    "cnn.eval.accuracy": "テストデータ {n} 枚での正解率",
    "cnn.eval.confusion": "**混同行列**（行が正解、列が予測。対角線の外が間違い）",
    "cnn.eval.predicted": "予測",
    "cnn.eval.true": "正解",
    "cnn.eval.hover": "正解 %{y} → 予測 %{x}：%{z} 枚",
    "cnn.eval.wrong": "**間違えた画像**（全 {n} 枚のうち最大 30 枚。「正解→予測（確信度）」）",
    "cnn.eval.item": "{true}→{pred}（{p:.0f}%）",
    "cnn.train.intro": (
        "このセッション専用の CNN を学習します。他の人のモデルや同梱のモデルには影響しません。"
        "学習中もほかのタブは使えます。"
    ),
    "cnn.train.epochs": "エポック数",
    "cnn.train.lr": "学習率",
    "cnn.train.batch": "バッチサイズ",
    "cnn.train.channels": "チャネル数（conv1/conv2）",
    "cnn.train.size": "学習に使う画像の枚数",
    "cnn.train.augment": "データ拡張（ミニバッチごとに少し回転・拡大縮小・平行移動）",
    "cnn.train.use": "学習したモデルは、サイドバーの「使うモデル」で選ぶとすぐに「描いて推論」タブで使えます。",
    "cnn.train.use_now": "このモデルを使う",
    "cnn.draw.digits_only": (
        "ここで読めるのは数字だけです。Fashion-MNIST で学習したモデルは衣類を見分けるモデルなので、"
        "このタブでは使いません。"
    ),
    "cnn.train.fashion_done": (
        "Fashion-MNIST で学習したモデルです。結果は上のグラフで確かめてください。"
        "衣類用のモデルなので、描いた数字を読むタブでは使いません。"
    ),
    "cnn.train.download": "学習したモデルをダウンロード（.pth）",
    "cnn.test_split": "テスト",
    "cnn.ckpt.title": "モデルファイル（.pth）を読み込む",
    "cnn.ckpt.label": "このラボで保存した .pth、またはコースの `mnist_cnn.py` が保存した state_dict（10 MB まで）",
    "cnn.ckpt.ok": "{name} を読み込みました。サイドバーの「使うモデル」で「アップロードしたモデル」を選んでください。",
    "cnn.ckpt.inflated": (
        "このファイルは展開すると {mb:,.0f} MB になり、読み込める上限（{limit_mb:.0f} MB）を超えるため読み込みません。"
        "このラボや `torch.save` で保存した .pth を、圧縮し直さずにそのまま選んでください。"
    ),
    "cnn.q1": "CNN（畳み込みニューラルネットワーク）が画像認識でよく使われる理由は何でしょうか？",
    "cnn.a1": (
        "畳み込み層は小さなフィルタを画像全体で使い回すので、全結合層よりパラメータがずっと少なく、"
        "隣り合う画素の関係（線や角などの局所的な特徴）を捉えられます。特徴が画像のどこにあっても"
        "同じフィルタで見つけられ、層を重ねると単純な特徴から複雑な形へと段階的に組み立てられます。"
    ),
    "cnn.q2": "畳み込み（Convolution）とプーリング（Pooling）の役割を簡単に説明してください。",
    "cnn.a2": (
        "畳み込みはフィルタとの積和で特徴を取り出し、特徴マップを作ります（このページの conv1・conv2）。"
        "プーリングは特徴マップを縮小して特徴を集約します。最大値プーリングは 2×2 の中の最大値を残し、"
        "少しの位置ずれに強くなり、計算量も減ります。"
    ),
    "cnn.q3": "MNIST の画像サイズは何×何ピクセルで、何種類のクラスに分類する問題でしょうか？",
    "cnn.a3": "28×28 ピクセルのグレースケール画像で、0〜9 の 10 クラス分類です。本来は学習用 6 万枚とテスト用 1 万枚があります。",
    "cnn.q4": "ハイパーパラメータの調整で結果が大きく変わる例を 1 つ挙げ、理由を簡単に説明してください。",
    "cnn.a4": (
        "例：学習率を 0.001 から 0.1 にすると、Adam では更新が大きすぎて損失が下がらず、正解率が 10% 前後"
        "（当てずっぽう）に留まることがあります。逆に小さすぎると学習がなかなか進みません。"
        "「学習」タブで学習率を変えて確かめてみましょう。"
    ),
    "cnn.q5": "PyTorch で学習時と推論時の挙動を切り替えるとき、必ず呼ぶべきメソッドは何でしょうか？",
    "cnn.a5": (
        "学習の前に `model.train()`、評価・推論の前に `model.eval()` を呼びます。Dropout や BatchNorm の"
        "動きが切り替わります。推論では勾配も不要なので `torch.no_grad()`（または `torch.inference_mode()`）"
        "の中で実行します。"
    ),
    "cnn.code_caption": "「学習」タブの今の設定で書いた、コースの `mnist_cnn.py` 形式の学習スクリプトです。",
}

EN = {
    "nav.cnn": "CNN (MNIST)",
    "home.blurb.cnn": "A CNN reads the digit you draw, and shows what it sees",
    "cnn.title": "A CNN reads handwritten digits",
    "cnn.intro": (
        "The CNN of Part 2's `mnist_cnn.py`. A digit you draw or upload is framed into 28×28 the way MNIST "
        "was made, then classified. Look inside the network, evaluate it, or retrain it yourself."
    ),
    "cnn.no_shipped": "{reason}",
    "cnn.train_instead": "The Train tab trains a model for this session on the spot.",
    "cnn.shipped_meta": ("Shipped model: {c1}/{c2} channels, {epochs} epochs, {acc:.1f}% on {n} test digits"),
    "cnn.model": "Model",
    "cnn.model.shipped": "Shipped (pretrained)",
    "cnn.model.session": "Trained in this session",
    "cnn.model.uploaded": "Uploaded",
    "cnn.no_model": "No model to use. Train one in the Train tab or upload a .pth file.",
    "cnn.tab.draw": "Draw",
    "cnn.tab.upload": "Upload",
    "cnn.tab.inside": "Look inside",
    "cnn.tab.eval": "Evaluate",
    "cnn.tab.train": "Train",
    "cnn.draw.intro": "Draw one digit, 0–9, large, in the black square; it is read again after every stroke.",
    "cnn.parts.found": "Found **{n} digits**, so each was read on its own, left to right: **{digits}**",
    "cnn.parts.one": "To have it read as one digit, draw a single digit.",
    "cnn.parts.item": "{digit} ({p:.0f}%)",
    "cnn.parts.many": "There are {n} separate marks, too many to read as digits. Draw a single digit.",
    "cnn.parts.source": "Input (red: each digit read)",
    "cnn.parts.steps": "**Preprocessing**: each digit was cut out and framed into 28×28 the MNIST way, then read.",
    "cnn.stroke": "Stroke width",
    "cnn.clear": "Clear",
    "cnn.undo_hint": "Hover over the canvas for its toolbar: ↶ undoes one stroke at a time.",
    "cnn.blank": "The canvas is empty. Draw a digit!",
    "cnn.prediction": "Prediction",
    "cnn.confidence": "Confidence {p:.0f}%",
    "cnn.digit": "Digit",
    "cnn.probability": "Probability",
    "cnn.steps": "**Preprocessing, step by step** (the MNIST recipe: crop to the ink, scale into 20×20 keeping the aspect ratio, centre the centre of mass in 28×28)",
    "cnn.step.source": "Input (red: the ink)",
    "cnn.step.cropped": "Cropped to the ink ({h}×{w})",
    "cnn.step.scaled": "Into 20×20 ({h}×{w})",
    "cnn.step.final": "28×28, mass centred ({dy}, {dx})",
    "cnn.upload.intro": (
        "A photo of dark ink on white paper is inverted automatically. Several digits in a row are read one "
        "by one, left to right."
    ),
    "cnn.upload.label": "Image of a digit (PNG, JPEG, BMP, GIF or WebP, up to 10 MB)",
    "cnn.upload.blank": "No digit (ink) found in the picture.",
    "cnn.upload.err.empty": "The file is empty (0 bytes).",
    "cnn.upload.err.too_large": "The file is too large (10 MB at most).",
    "cnn.upload.err.too_many_pixels": "The picture has too many pixels (40 megapixels at most). Shrink it first.",
    "cnn.upload.err.not_image": "This file cannot be read as an image. Choose a picture file such as a PNG or JPEG.",
    "cnn.upload.err.format": "This image format ({format}) is not supported. Use PNG, JPEG, BMP or GIF.",
    "cnn.upload.err.damaged": "The image file is damaged or cut short.",
    "cnn.inside.intro": "See, layer by layer, what the CNN does with one picture.",
    "cnn.inside.source": "Picture",
    "cnn.inside.src.draw": "Your drawing",
    "cnn.inside.src.upload": "Your upload",
    "cnn.inside.src.test": "A test digit",
    "cnn.inside.index": "Test digit number",
    "cnn.inside.refresh": "Use the latest",
    "cnn.inside.none.draw": "Nothing drawn yet. Draw a digit on the Draw tab, then press “Use the latest”.",
    "cnn.inside.none.upload": "No picture uploaded yet. Upload one on the Upload tab.",
    "cnn.inside.why_caption": (
        "Saliency: how much the probability moves when each pixel changes a little (the gradient). "
        "Occlusion: how much it drops when a 6×6 patch is blacked out. Redder = mattered more."
    ),
    "cnn.inside.input": "Input (28×28)",
    "cnn.inside.how": "How convolution and pooling work",
    "cnn.inside.shapes": "Output shape of each layer",
    "cnn.inside.layer": "Layer",
    "cnn.inside.shape": "Output shape (channels × height × width)",
    "cnn.inside.conv": (
        "**Convolution**: a small 3×3 filter (kernel) slides over the image one pixel at a time; at each place it "
        "multiplies the pixels under it by its weights and sums them. The same filter is reused everywhere, so "
        "with far fewer parameters than a dense layer it finds local features — vertical, horizontal or "
        "diagonal edges — wherever they are."
    ),
    "cnn.inside.pool": (
        "**Pooling**: keeps only the largest value of each 2×2 block, halving the map's height and width. "
        "Small shifts of a feature then change little, and there is less to compute."
    ),
    "cnn.inside.kernels": "The {n} kernels of conv1 (3×3; red positive, blue negative weights)",
    "cnn.inside.maps1": "**conv1 feature maps** ({n}, 26×26, after ReLU): bright where a filter responds strongly.",
    "cnn.inside.maps2": "**conv2 feature maps** ({n}, 11×11): responses to larger shapes built from conv1's features.",
    "cnn.inside.why": '**Which pixels made it say "{digit}"**',
    "cnn.inside.saliency": "Saliency (size of the gradient)",
    "cnn.inside.occlusion": "Occlusion (drop in probability when a 6×6 patch is hidden)",
    "cnn.sandbox.title": "Output size of a convolution",
    "cnn.sandbox.intro": "Change the input size, kernel, stride and padding and see the output size of a convolution.",
    "cnn.sandbox.size": "Input size",
    "cnn.sandbox.kernel": "Kernel",
    "cnn.sandbox.stride": "Stride",
    "cnn.sandbox.padding": "Padding",
    "cnn.sandbox.out": "Output size",
    "cnn.sandbox.too_small": (
        "The kernel ({kernel}) is larger than the padded input ({padded}): it does not fit anywhere, so "
        "there is no output. Use a smaller kernel or more padding."
    ),
    "cnn.sandbox.pool": "A 2×2 max pooling after it gives {n}.",
    "cnn.eval.accuracy": "Accuracy on {n} test digits",
    "cnn.eval.confusion": "**Confusion matrix** (rows: true digit, columns: prediction; off the diagonal = mistakes)",
    "cnn.eval.predicted": "Predicted",
    "cnn.eval.true": "True",
    "cnn.eval.hover": "true %{y} → predicted %{x}: %{z}",
    "cnn.eval.wrong": "**Misclassified digits** (up to 30 of {n}; “true→predicted (confidence)”)",
    "cnn.eval.item": "{true}→{pred} ({p:.0f}%)",
    "cnn.train.intro": (
        "Train a CNN for this session only; nobody else's model and not the shipped one are touched. "
        "The other tabs keep working while it trains."
    ),
    "cnn.train.epochs": "Epochs",
    "cnn.train.lr": "Learning rate",
    "cnn.train.batch": "Batch size",
    "cnn.train.channels": "Channels (conv1/conv2)",
    "cnn.train.size": "Training images",
    "cnn.train.augment": "Data augmentation (small random rotation, scaling and shift per mini-batch)",
    "cnn.train.use": "Pick the trained model under “Model” in the sidebar to use it on the Draw tab at once.",
    "cnn.train.use_now": "Use this model",
    "cnn.draw.digits_only": (
        "This tab reads digits only: a model trained on Fashion-MNIST tells clothes apart, so it is not used here."
    ),
    "cnn.train.fashion_done": (
        "A model of Fashion-MNIST: see how it did in the charts above. It knows clothes, not digits, so the "
        "drawing tabs do not use it."
    ),
    "cnn.train.download": "Download the trained model (.pth)",
    "cnn.test_split": "test",
    "cnn.ckpt.title": "Load a model file (.pth)",
    "cnn.ckpt.label": "A .pth saved by this lab, or a state_dict saved by the course's `mnist_cnn.py` (up to 10 MB)",
    "cnn.ckpt.ok": "Loaded {name}. Choose “Uploaded” under “Model” in the sidebar to use it.",
    "cnn.ckpt.inflated": (
        "This file would unpack to {mb:,.0f} MB, over the {limit_mb:.0f} MB this page reads, so it was not "
        "loaded. Choose a .pth saved by this lab or by `torch.save` as it is, not compressed again."
    ),
    "cnn.q1": "Why are CNNs (convolutional neural networks) so widely used for image recognition?",
    "cnn.a1": (
        "A convolution reuses one small filter over the whole image, so it needs far fewer parameters than a "
        "dense layer and captures how neighbouring pixels relate (local features such as strokes and corners). "
        "It finds a feature wherever it appears, and stacked layers build complex shapes from simple ones."
    ),
    "cnn.q2": "Briefly explain what convolution and pooling do.",
    "cnn.a2": (
        "Convolution extracts features as weighted sums with a filter, producing feature maps (conv1 and conv2 "
        "on this page). Pooling shrinks the maps and aggregates the features; max pooling keeps the largest "
        "value of each 2×2 block, which tolerates small shifts and cuts computation."
    ),
    "cnn.q3": "How many pixels are MNIST images, and how many classes does the task have?",
    "cnn.a3": "28×28-pixel greyscale images, 10 classes (digits 0–9). The full set has 60,000 training and 10,000 test images.",
    "cnn.q4": "Give one hyperparameter change that changes the result a lot, and say why.",
    "cnn.a4": (
        "Example: raising Adam's learning rate from 0.001 to 0.1 makes the updates so large that the loss stops "
        "falling and accuracy can stay near 10% (guessing); too small a rate makes training crawl. "
        "Try it in the Train tab."
    ),
    "cnn.q5": "Which methods must you call in PyTorch to switch between training and inference behaviour?",
    "cnn.a5": (
        "`model.train()` before training and `model.eval()` before evaluating or predicting: they switch how "
        "Dropout and BatchNorm behave. Inference also needs no gradients, so run it inside `torch.no_grad()` "
        "(or `torch.inference_mode()`)."
    ),
    "cnn.code_caption": "The course's `mnist_cnn.py` training script, written with the Train tab's current settings.",
}
