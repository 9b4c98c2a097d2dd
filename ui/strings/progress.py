"""Strings of the class's progress across replicas: the teacher's grid, the class report, the class-wide
pause (ui/progress.py)."""

JA = {
    "progress.title": "クラスの進み具合",
    "progress.legend": (
        "ページの列：○ 開いた、✓ 1 回学習した、✓✓ ページの目標に届いた。⚠ は最後の学習がエラーで終わった生徒です。"
        "すべてのサーバー（レプリカ）の生徒を、クラスのデータベースから数秒ごとに表示します。"
    ),
    "progress.none": "まだ名前を入れた生徒がいません。",
    "progress.shared": "すべてのレプリカの生徒です（クラスのデータベースから）。停止ボタンはこのサーバー（{replica}）の学習だけに出ます。",
    "progress.col.replica": "レプリカ",
    "progress.col.last_activity": "最後の活動",
    "progress.col.failed": "エラー",
    "progress.col.submitted": "掲示板に投稿",
    "progress.col.answered": "確認問題に回答",
    "progress.report": "クラスのレポート（ZIP）",
    "progress.pause": "全員の学習を一時停止",
    "progress.resume": "一時停止した学習を再開",
    "progress.paused": "このサーバーの学習を {n} 件止めました。ほかのレプリカも数秒以内に止まります。",
    "progress.resumed": "このサーバーの学習を {n} 件再開しました。ほかのレプリカも数秒以内に再開します。",
    "progress.pause_on": "クラス全体の一時停止中です。新しく始めた学習も止まります。「一時停止した学習を再開」で解除します。",
    "progress.err.db": "クラスのデータベースに接続できません。少し待ってからもう一度試してください。",
}

EN = {
    "progress.title": "Class progress",
    "progress.legend": (
        "Page columns: ○ opened, ✓ trained once, ✓✓ reached the page's target. ⚠ marks a student whose last "
        "run ended in an error. Students of every server (replica), from the class database, every few seconds."
    ),
    "progress.none": "No student has typed a name yet.",
    "progress.shared": "Students on every replica (from the class database). Stop buttons appear only for this server's ({replica}) jobs.",
    "progress.col.replica": "Replica",
    "progress.col.last_activity": "Last activity",
    "progress.col.failed": "Error",
    "progress.col.submitted": "Submitted to the board",
    "progress.col.answered": "Answered the question",
    "progress.report": "Class report (ZIP)",
    "progress.pause": "Pause every training job",
    "progress.resume": "Resume them",
    "progress.paused": "Paused {n} training jobs on this server. The other replicas stop theirs within seconds.",
    "progress.resumed": "Resumed {n} training jobs on this server. The other replicas resume theirs within seconds.",
    "progress.pause_on": "The whole class is paused: a run started now stops too. “Resume them” lifts the pause.",
    "progress.err.db": "The class database cannot be reached. Wait a moment and try again.",
}
