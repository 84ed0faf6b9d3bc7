# Kefu 桌面工作台的简体中文界面文字。
#
# 每条消息写作 `id = 文字`。{ $count } 这样的占位符由程序填入，数字按千位
# 加逗号显示。中文没有单复数之分，en.ftl 里按数量选择的写法在这里一般只需
# 一种说法。id 和占位符必须与 en.ftl 完全一致，有测试检查。
# 除选择表达式外，每条消息写在一行内：Fluent 会保留多行值里的换行。

## 窗口与工作台

window-title = Kefu 客服
refresh = 刷新
# 切换到插件页面的按钮，也是该页面的标题。
plugins = 插件
# 从插件页面切回的按钮。
workbench = 工作台
conversations = 会话
tickets = 工单
unanswered = 待回复
view-all = 全部 { $count }
view-unanswered = 待回复 { $count }
view-mine = 我的 { $count }
view-vip = VIP { $count }
view-due-soon = 即将到期 { $count }
view-saved = { $name } { $count }
view-failed = 无法读取视图：{ $error }。请点击“{ refresh }”重试。
view-truncated = 此视图只列出前 { $limit } 个工单的会话；请用保存的视图缩小范围以查看其余会话。
no-subject = （无主题）
attachments = 附件：
empty-database = 还没有会话。用以下命令导入邮件、聊天或通话记录：kefu ingest PATH
no-selection = 选择一个会话以查看消息。
no-messages = 这个会话没有消息。
no-tickets = 还没有工单。

# 工单列表的列标题，按列的顺序。
ticket-id = 编号
ticket-type = 类型
ticket-priority = 优先级
ticket-source = 来源
ticket-status = 状态
ticket-customer = 客户
ticket-subject = 主题

channel-email = 邮件
channel-chat = 在线聊天
channel-phone = 电话
direction-inbound = 收到
direction-outbound = 发出
automation-auto-reply = 自动回复
automation-bounce = 退信
automation-bulk = 群发邮件
# 机器生成的消息上的标记，附带识别它的邮件头或规则。
automation-marker = { $kind }（识别依据：{ $evidence }）
# 一通电话的详情。$answered 为 "yes" 或 "no"。
call = 呼叫 { $destination }，{ $answered ->
        [yes] 已接通
       *[no] 未接通
    }，处理结果 { $disposition }，通话时长 { $duration }，计费时长 { $billed }
note = 备注：{ $note }
attachment-failed = 无法打开附件：{ $error }
attachment = { $name }（{ $size }）
earlier-messages = 显示之前的 { $earlier } 条消息
earlier-messages-window = 显示之前的 { $shown } 条消息（还有 { $earlier } 条未显示）
message-count = { $count } 条消息
summary = { $conversations } 个会话，{ $unanswered } 个待回复，{ $tickets } 个工单
loaded-at = 更新于 { $time }
open-failed = 无法打开数据库 { $path }：{ $error }。请检查路径和权限，然后点击“{ refresh }”。
read-failed = 无法读取数据库：{ $error }。请点击“{ refresh }”重试。

## 插件页面

loading-plugins = 正在加载插件…
plugins-not-loaded = 此窗口未加载插件。
builtin = 内置
direct-plugin = 由程序加载
no-manifest = （无清单）
grant-hint = 插件清单中声明的权限需要授权后才会生效，例如：kefu plugin grant ID read-folder DIR。授权在 Kefu 下次加载该插件时生效。
plugin-sync-panicked = 之前的插件更新中途中断
plugin-kind-adapter = 渠道适配器
plugin-kind-rule = 工单规则
plugin-kind-widget = 报表组件
plugin-status-running = 运行中
plugin-status-disabled = 已停用
plugin-status-broken = 加载失败
plugin-status-replaced = 已替换
plugin-version = 版本 { $version }
plugin-id = ID：{ $id }
plugin-file = 文件：{ $path }
native-plugin-file = 原生库：{ $path }
plugin-disabled = 已停用：{ $reason }。运行 kefu plugin enable { $id } 并重启 Kefu 即可重新启用。
plugin-broken = 无法加载：{ $reason }
plugin-replaced-by-file = 已被插件文件 { $path } 替换
plugin-replaced = 已被同 ID 的插件文件替换
declared-capabilities = 声明的权限：{ $capabilities }
granted-capabilities = 已授权：{ $capabilities }
grant-command = 授权命令：kefu plugin grant { $id } { $capability } { $value }
plugin-folder = 插件文件夹：{ $path }。在其中添加、替换或删除文件会立即加载或卸载插件。
no-plugin-folder = 未设置插件文件夹，只加载内置插件。使用 --plugins DIR 启动 Kefu 可添加自己的插件。
plugin-loaded = 已加载插件 { $id }。
plugin-not-loaded = 无法加载插件 { $id }，原因见其卡片。
plugin-found-disabled = 发现插件 { $id }，它已被停用。
plugin-reloaded = 已重新加载插件 { $id }。
plugin-removed = 已移除插件 { $id }。
plugin-total = { $count } 个插件
plugin-summary = { $total }：{ $parts }
plugin-count-running = { $count } 个运行中
plugin-count-disabled = { $count } 个已停用
plugin-count-broken = { $count } 个加载失败
plugin-count-replaced = { $count } 个已替换
summary-separator = {"，"}
list-separator = {"、"}
plugins-load-failed = 无法加载插件：{ $error }。请点击“{ refresh }”重试。
plugin-sync-failed = 无法从插件文件夹更新插件：{ $error }。请点击“{ refresh }”重新加载。
plugin-watch-failed = 未能监视插件文件夹 { $path }：{ $error }。点击“{ refresh }”可读取其中的变化。

## 配置与后台任务

desk-config-invalid = 服务台配置无效：{ $error }。在修正文件并重启 Kefu 之前，将使用内置的生命周期和 SLA，且不运行声明式规则。
rules-config-invalid = 规则无效：{ $error }。在修正文件并重启 Kefu 之前，不运行声明式规则。
backup-config-invalid = 备份设置无效：{ $error }。在修正文件并重启 Kefu 之前，不进行自动备份。
alerts-config-invalid = 提醒设置无效：{ $error }。在修正文件并重启 Kefu 之前，使用内置的提醒设置。
# 以下三条 ui.toml 错误总以英文显示，因为此时界面回退到英文。
ui-settings-unreadable = 无法读取 { $path }：{ $error }。在文件可读并重启 Kefu 之前，界面使用英文。
ui-settings-invalid = { $path } 中的界面设置无效：{ $error }。在修正文件并重启 Kefu 之前，界面使用英文。
ui-language-invalid = { $path } 中的语言 "{ $value }" 无效：请选择 "en"、"zh-CN" 或 "system"。在修正文件并重启 Kefu 之前，界面使用英文。
scheduler-finished = 规则运行于 { $time }：触发 { $fired } 条，失败 { $failed } 条
scheduler-failed = 规则运行于 { $time }，运行失败
thread-panicked = 线程 { $name } 崩溃，崩溃信息见标准错误输出
webhook-failed = Webhook 服务未启动：{ $error }
webhook-listening = Webhook 监听于 { $address }

## 客户卡片

no-name = （无姓名）
no-tags = 标签：无
addresses = 联系方式
split = 拆分
merge = 合并
cancel = 取消
merge-heading = 将另一位客户合并到此客户
merge-search-hint = 按姓名、邮箱、电话号码或聊天 ID 搜索
no-customer-found = 没有匹配的其他客户。
reason-hint = 原因，随变更一起记录（可选）
customer-number = 客户 #{ $id }
customer-tier = 等级：{ $tier }
customer-tags = 标签：{ $tags }
customer-choice = #{ $id } { $name }
more-customers = 还有 { $count } 位；请输入更多姓名或联系方式以缩小范围。
history-heading = 历史记录：所有渠道共 { $count } 条消息
address-count = { $count } 个联系方式
address-count-listed = { $count } 个联系方式（{ $addresses }）
conversation-count = { $count } 个会话
confirm-merge = 将客户 #{ $from } { $name } 合并到客户 #{ $into }？{ $addresses } 和 { $conversations }，连同其工单和任务，将移至 #{ $into }。客户 #{ $from } 将保留为指向 #{ $into } 的记录。
confirm-split = 将 { $address } 从客户 #{ $from } 拆分出来？该联系方式及其发起的会话将移至一位等级相同的新客户。
acting-agent = 记录人：{ $actor }
merged = 客户 #{ $from } 已合并到 #{ $into }：移动了 { $addresses } 和 { $conversations }。
split-off = 已将 { $addresses } 从客户 #{ $from } 拆分为新客户 #{ $new }，随之移动了 { $conversations }。
customer-read-failed = 无法读取客户 #{ $id }：{ $error }
customer-change-failed = 未做任何更改：{ $error }

## 解锁页面

database-encrypted = 此数据库已加密，请输入密码以打开。
passphrase-hint = 密码
unlock = 解锁

## 报表页面

reports = 报表
report-period = 时间段：
report-period-hint = 2026-11、2026-W45 或 2026-11-01..2026-11-15
report-show = 显示
report-by = 分组方式：
report-loading = 正在读取报表…
report-empty = 此时间段内没有数据。
report-no-widgets = 没有正在运行的报表组件。插件页面显示了每个组件的状态。
report-drill-down-hint = 点击柱形、数据点、扇区或单元格，可列出其统计的工单。
period-day = 日
period-week = 周
period-month = 月
period-custom = 自定义
dimension-agent = 客服
dimension-type = 类型
dimension-tier = 等级
dimension-channel = 渠道
dimension-ticket = 工单
dimension-time = 时间
report-period-zone = { $period }，{ $zone }
report-selection = { $series }，{ $category }
drill-down-heading = { $selection }：{ $tickets } 个工单
drill-down-details = { $customer } · { $type } · { $status }
report-failed = 无法读取报表：{ $error }
export = 导出：
export-path-hint = 要写入的文件，例如 ~/Documents/kefu-report-2026-11.xlsx
export-button = 导出
export-replace = 替换
export-no-report = 暂无可导出的内容：请等报表显示后再点击“{ export-button }”。
export-path-missing = 文件路径为空：请输入要写入的文件，例如 ~/kefu-report.xlsx。
export-format-xlsx = Excel
export-format-pdf = PDF
export-format-csv = CSV
export-extension-mismatch = { $path } 的扩展名与 { $format } 不符；请修改文件名，或选择与扩展名对应的格式。
export-replace-question = 以下 { $count } 个文件已存在：{ $files }。要替换吗？
export-computing = 正在导出 { $path }：正在计算报表…
export-writing-rows = 正在导出 { $path }：已写入 { $done } / { $total } 行
export-laying-out = 正在导出 { $path }：已排版 { $done } / { $total } 行表格
export-drawing-pages = 正在导出 { $path }：已绘制 { $done } / { $total } 页
export-saving = 正在导出 { $path }：正在保存文件…
export-saved = 已保存 { $files }（{ $rows } 行）
export-saved-pages = 已保存 { $files }（{ $rows } 行，{ $pages } 页）
export-failed = 无法导出报表：{ $error }

## 空数据库时的演示数据

demo-offer = 用演示数据试用 Kefu？
demo-offer-details = Kefu 可以在此数据库中生成客户、各渠道的会话，以及经历完整生命周期的工单，让列表和报表有内容可看。也可以从空数据库开始，导入自己的数据。
demo-customers = 客户数
demo-days = 历史天数
load-demo-data = 加载演示数据
start-empty = 从空白开始
demo-invalid-number = { $field }："{ $value }" 不是大于 0 的整数；请输入一个整数，例如 200。
demo-progress = 正在生成演示数据：已写入 { $done } / { $total } 个工单…
demo-failed = 无法加载演示数据：{ $error }
widget-failed = 此组件出错：{ $error }

# 内置报表组件的文字，显示在报表页面上。
widget-tickets-created-resolved = 新建与已解决工单
widget-tickets-created-resolved-by = 按{ $dimension }统计的新建与已解决工单
widget-backlog = 未完成工单（积压）
widget-tickets-by-channel = 各渠道新建工单
widget-tickets-by-weekday-hour = 按星期和小时统计的新建工单
widget-messages-per-day = 每日消息数
widget-messages-per-day-channel = 每日消息数：{ $channel }
widget-created = 新建
widget-resolved = 已解决
widget-open = 未完成
widget-tickets = 工单
widget-messages = 消息
widget-day = 日期
widget-hour-of-day = 小时
weekday-mon = 周一
weekday-tue = 周二
weekday-wed = 周三
weekday-thu = 周四
weekday-fri = 周五
weekday-sat = 周六
weekday-sun = 周日

## 窗格与回复编辑器

empty-pane = 空窗格
split-right = 向右拆分
split-down = 向下拆分
maximize-pane = 最大化
restore-pane = 还原
pop-out-pane = 弹出窗口
close-pane = 关闭
draft-placeholder-email = 撰写邮件回复…
draft-placeholder-chat = 撰写聊天回复…
draft-placeholder-phone = 记录这通电话的备注…
send = 发送
save-note = 保存备注
sent-queued = 工单 #{ $ticket } 的回复已加入发件箱（条目 { $entry }）。
sent-noted = 通话备注已保存到工单 #{ $ticket } 的历史记录。
draft-empty = 草稿为空，请先撰写回复
draft-has-placeholders = 草稿中仍有未填值的占位符 { $placeholders }，请替换为客户应看到的文字
conversation-has-no-ticket = 会话 { $conversation } 没有工单，无法回复；自动回复邮件和退信不会创建工单
database-not-open = 数据库未打开
database-not-open-send = 数据库未打开，请点击“{ refresh }”后重新发送
send-failed = 未发送：{ $error }。草稿已保留。
outbox-queued = 排队中
outbox-retrying = 排队中，第 { $attempts } 次尝试失败：{ $error }
outbox-sending = 正在发送…
outbox-sent = 已发送
outbox-sent-at = 已发送于 { $time }
outbox-failed = 发送失败：{ $error }。运行 `kefu outbox retry { $entry }` 可重新排队。
unknown-error = 未知错误
state-file-moved = 无法读取 { $path } 中保存的窗格和草稿（{ $error }）。该文件已移至 { $aside }，工作台以一个空窗格启动。
state-file-invalid = 无法读取 { $path } 中保存的窗格和草稿（{ $error }），工作台以一个空窗格启动。将该文件移走即可保留其中的草稿。

## 提醒

open-conversation = 打开会话
dismiss = ×
alert-tier-ordinary = 新消息
alert-tier-important = 重要
alert-tier-reminder = 提醒
alert-tier-sla-warning = SLA 预警
alert-tier-sla-breach = SLA 已超时
alert-new-message = { $customer } 发来新消息
alert-new-messages = { $customers } 位客户发来 { $count } 条新消息
alert-important-message = { $customer } 发来重要消息
alert-important-messages = { $customers } 位客户发来 { $count } 条重要消息
alert-waiting = { $customer } 已等待回复 { $minutes } 分钟
alert-waiting-many = { $count } 个会话已等待回复 { $minutes } 分钟
alert-sla-warning = { $minutes } 分钟后到达 SLA 时限：{ $customer }
alert-sla-warning-many = { $count } 个工单即将到达 SLA 时限，最早的在 { $minutes } 分钟后
alert-sla-breach = 已超过 SLA 时限：{ $customer }
alert-sla-breach-many = { $count } 个工单已超过 SLA 时限
alert-line = { $customer }：{ $text }
alert-line-count = { $customer }（{ $count } 条）：{ $text }
alert-more = …还有 { $count } 个会话

## 常用语与快捷键

phrases-button = 常用语
phrases-heading = 常用语
close-dialog = 关闭
phrase-search-hint = 搜索标题、内容、关键词和分类
all-categories = 全部
no-phrases = 常用语库为空。用以下命令导入常用语：kefu phrases import FILE
no-phrases-found = 没有符合搜索条件和分类的常用语。
insert-phrase = 插入
insert-and-send-phrase = 插入并发送
suggested-by-rule = 规则推荐
suggested-for-message = 推荐
no-unanswered = 没有等待回复的会话。
no-conversation-for-phrases = 请先在当前窗格中打开一个会话，以便为其填写常用语。
shortcuts-button = 快捷键
shortcuts-heading = 键盘快捷键
conversation-search-hint = 搜索会话
no-conversations-found = 没有匹配的会话。
phrase-missing-values = { $names } 没有值，因此文本中显示为 { $markers }。请在发送前在草稿中替换。
phrase-agent-hint = 将 KEFU_AGENT 设置为客服的名字即可填入 [agent.name?]。
unfilled-placeholders = 请将 { $placeholders } 替换为客户应看到的文字。草稿中含有占位符时无法发送。
phrases-failed = 无法打开常用语：{ $error }
phrase-use-failed = 已插入常用语 { $phrase }，但记录使用次数失败：{ $error }
shortcut-scope-workbench = 工作台
shortcut-scope-phrase-picker = 常用语选择器
shortcut-scope-shortcut-list = 本列表
shortcut-next-unanswered = 打开下一个待回复的会话
shortcut-next-pane = 切换到下一个窗格
shortcut-previous-pane = 切换到上一个窗格
shortcut-open-phrases = 为当前窗格的草稿打开常用语
shortcut-send = 发送当前窗格的草稿
shortcut-close-pane = 关闭当前窗格
shortcut-focus-search = 搜索会话
shortcut-show-shortcuts = 显示本列表
shortcut-open-settings = 打开设置
shortcut-open-todo = 打开待办页面
shortcut-insert-phrase = 将选中的常用语插入草稿
shortcut-insert-phrase-and-send = 插入选中的常用语并发送草稿
shortcut-select-next-phrase = 选择下一条常用语
shortcut-select-previous-phrase = 选择上一条常用语
shortcut-close-dialog = 关闭
with-keys = { $label }（{ $keys }）
key-ctrl = Ctrl
key-cmd = Cmd
key-shift = Shift
key-up = ↑
key-down = ↓
key-escape = Esc

## 待办页面

todo = 待办
todo-filters = 筛选：
todo-everyone = 所有人
todo-mine = 我的
todo-unassigned = 未分配
todo-overdue = 已逾期
todo-clear-filters = 清除筛选
todo-tag-filter-placeholder = 输入标签后按回车
todo-select-visible = 选择可见项
todo-clear-selection = 取消选择
todo-set-status = 状态：
todo-set-priority = 优先级：
todo-agent-placeholder = 客服名字
todo-assign = 分配
todo-unassign = 取消分配
todo-tag-placeholder = 标签
todo-add-tag = 添加标签
todo-none-left = 暂无待办：没有符合筛选条件的未完成工单。
todo-tasks = 任务
todo-column-id = 编号
todo-column-status = 状态
todo-column-priority = 优先级
todo-column-due = 截止
todo-column-assignee = 处理人
todo-column-customer = 客户
todo-column-subject = 主题
todo-tags = 标签
todo-no-due = -
todo-nobody = -
todo-paused = 已暂停
todo-merged = 已合并
todo-detail-close = 关闭
todo-open-conversation = 打开会话
todo-history = 历史记录
todo-work-log = 工时记录
todo-notes = 备注
todo-no-work = 没有工时记录。
todo-no-notes = 没有备注。
todo-matching = { $count } 个未完成工单
todo-selected = 已选 { $count } 个
todo-select-matching = 全选 { $count } 个
todo-merge-into = 合并到 #{ $target }
todo-merge-hint = 要合并工单，请打开要保留的工单，再勾选其他工单。
todo-ticket-count = { $count } 个工单
todo-bulk-changed = { $action }：已更改 { $tickets }
todo-bulk-unchanged = {"，"}{ $tickets } 无需更改
todo-bulk-skipped = {"，"}跳过 { $tickets }（{ $reasons }）
todo-skip-reason = #{ $ticket }：{ $reason }
todo-reason-separator = {"；"}
todo-action-status = 状态改为{ $status }
todo-action-priority = 优先级改为{ $priority }
todo-action-assign = 分配给 { $agent }
todo-action-unassign = 取消分配
todo-action-tag = 添加标签 { $tag }
todo-bulk-failed = 未做任何更改：{ $error }
todo-nothing-selected = 请先用左侧的复选框选择工单。
todo-overdue-by = 已逾期 { $span }
todo-due-in = { $span }后到期
todo-span-minutes = { $minutes }分钟
todo-span-hours = { $hours }小时{ $minutes }分钟
todo-span-days = { $days }天{ $hours }小时
todo-ticket-heading = #{ $id } { $subject }
todo-field = { $name }：{ $value }
todo-work-total = { todo-work-log }（{ $minutes } 分钟）
todo-work-entry = { $agent }，{ $minutes } 分钟：{ $summary }
todo-task-due = {"，"}截止 { $due }
todo-task-assignee = {"，"}{ $assignee }
todo-more-tasks = 还有 { $count } 个（kefu tasks 可列出全部）
todo-summary = { $matching }，{ $selected }
todo-history-line = { $time }  { $actor }  { $change }
todo-history-line-reason = { $time }  { $actor }  { $change }（{ $reason }）
todo-history-change = { $field }：{ $from } → { $to }
todo-history-kind-created = 创建工单
todo-history-kind-status = 状态
todo-history-kind-priority = 优先级
todo-history-kind-type = 类型
todo-history-kind-assignee = 处理人
todo-history-kind-first-response = 首次回复
todo-history-kind-merged = 合并工单
todo-history-kind-merged-into = 合并到其他工单
todo-history-kind-phrase-send = 发送常用语
todo-history-kind-phrase-suggested = 推荐常用语
todo-history-kind-reply-queued = 回复已排队
todo-history-kind-reply-withheld = 回复被拦截
todo-none = 无
todo-history-tag = 添加标签：{ $tag }
todo-history-work = 记录工时：{ $minutes } 分钟，{ $summary }
todo-history-note = 备注：{ $text }
todo-note = { $time }  { $actor }：{ $text }

## 设置页面

settings = 设置
settings-appearance = 外观
settings-theme = 主题
settings-theme-system = 跟随系统
settings-theme-light = 浅色
settings-theme-dark = 深色
settings-language = 语言
settings-language-system = 跟随系统
settings-language-en = English
settings-language-zh-cn = 简体中文
settings-save = 保存
settings-appearance-saved = 已保存到 { $path }。主题和语言立即生效；更改前已显示的提示行在 Kefu 重启前保持原语言。
settings-alerts = 提醒
settings-alerts-scope = 保存范围
settings-alerts-everyone = 所有人
settings-alerts-only-me = 仅我自己（[agent.{ $agent }]）
settings-tier = 提醒类型
settings-tier-enabled = 开启
settings-tier-attention = 任务栏闪烁
settings-tier-desktop = 桌面通知
settings-tier-sound = 声音
settings-group-window = 合并多少秒内的提醒（秒）
settings-reminder-after = 消息未回复多久后提醒（分钟）
settings-sla-warning-before = SLA 截止前多久预警（分钟）
settings-quiet-hours = 免打扰时段
settings-quiet-start = 从
settings-quiet-end = 到
settings-number-invalid = { $field }：“{ $value }”超出范围；请输入 { $min } 到 { $max } 之间的整数。
settings-time-invalid = { $field }：“{ $value }”不是时刻；请按 24 小时制 HH:MM 输入，例如 22:00。
settings-quiet-same = 免打扰时段的开始和结束都是 { $time }；请输入两个不同的时刻，或关闭免打扰。
settings-sound-file = 提示音文件（WAV 或 Ogg Vorbis）
settings-sound-file-placeholder = 留空使用内置提示音；相对路径从配置文件夹算起
settings-sound-invalid = 无法播放提示音文件 { $path }：{ $reason }。请选择 WAV 或 Ogg Vorbis 文件，或留空使用内置提示音。
settings-important-priorities = 按重要提醒的优先级
settings-important-priorities-hint = 这些优先级的工单上的消息，以及 VIP 等级客户的消息，会触发重要提醒。
settings-time-zone-section = 报表与 SLA
settings-time-zone = 时区
settings-time-zone-hint = IANA 时区名，例如 Asia/Shanghai 或 Europe/Berlin。报表周期和 SLA 工作时间按此时区计算。保存到 sla.toml；Kefu 重启后生效。
settings-time-zone-invalid = 时区：“{ $value }”不是 IANA 时区；请输入 Asia/Shanghai 或 UTC 这样的名称。
settings-sla-file-kept = sla.toml 无法使用：{ $error }。保存不会改动它；请用编辑器修正该文件。
settings-time-zone-saved = 已将时区 { $zone } 保存到 { $path }。Kefu 重启后，报表和 SLA 截止时间使用该时区。
settings-not-saved = 未保存任何内容：请更正标红的字段。
settings-alerts-saved = 已保存到 { $path }。新的提醒设置立即生效。
settings-alerts-overridden = 已保存到 { $path }，但你自己的 [agent.{ $agent }] 表对其中部分设置另有取值，对你以该表为准。选择“仅我自己”可为自己修改。
settings-file-kept = 该文件有此错误时，保存不会改动 { $file }，Kefu 使用默认设置运行。请用编辑器修正该文件，或点击“替换文件”：Kefu 会在文件名后加上“.broken”和时间将其改名保留，再按此处显示的设置写入新文件。
settings-replace = 替换文件
settings-replaced = 已将出错的文件改名为 { $backup }，并把设置保存到 { $path }。
settings-save-failed = 保存失败：{ $error }
settings-no-folder = Kefu 启动时未指定配置文件夹，因此无法保存这些设置。请用 --config DIR 启动。
settings-profile = 个人资料
settings-agent-name = 客服：{ $agent }
settings-agent-source = Kefu 从环境变量 KEFU_AGENT 读取客服名，未设置时使用登录名。
settings-agent-missing = 数据库中还没有客服 { $agent }。保存时会按此资料添加。
settings-display-name = 显示名（填入话术中的 {"{{"}agent.name{"}}"}）
settings-available = 接收新工单
settings-profile-note = 个人资料保存在数据库中，分配规则和话术从那里读取。
settings-display-name-invalid = 显示名：{ $error }
settings-no-database = 数据库未打开，无法保存个人资料。
settings-profile-saved = 已保存 { $agent } 的个人资料。
settings-profile-added = 已按此资料添加客服 { $agent }。
settings-theme-invalid = 主题设置无效：{ $error }。在文件修正之前，Kefu 跟随系统主题。

## The form that saves, renames and deletes saved views

saved-view-save-as = 保存为视图
saved-view-edit-button = 编辑
saved-view-save-title = 将当前筛选保存为视图
saved-view-edit-title = 已保存的视图 { $name }
saved-view-name-placeholder = 视图名称
saved-view-save = 保存
saved-view-rename = 重命名
saved-view-overwrite = 替换该视图
saved-view-replace-filter = 使用当前筛选
saved-view-replace-filter-hint = “使用当前筛选”会用待办页面上设置的筛选替换此视图的筛选。
saved-view-delete = 删除
saved-view-cancel = 取消
saved-view-confirm-delete = 删除已保存的视图 { $name }？其中的工单不受影响。
saved-view-name-empty = 请输入视图名称。
saved-view-name-too-long = 名称有 { $length } 个字符，最多 { $max } 个。
saved-view-name-taken-overwrite = 已有名为 { $name } 的视图。请换一个名称，或点“替换该视图”覆盖它的筛选。
saved-view-name-taken = 已有名为 { $name } 的视图。请换一个名称。
saved-view-overdue-not-saved = “已逾期”筛选与当前时间比较，保存的视图无法保留它。请在待办页面关闭它后再保存。
saved-view-gone = 已没有名为 { $name } 的视图；另一个窗口或 kefu tickets views 已将其删除。
saved-view-no-database = 数据库未打开，无法保存视图。请点 { refresh } 重试。
saved-view-write-failed = 无法写入保存的视图：{ $error }
saved-view-saved = 已保存视图 { $name }。
saved-view-renamed = 已将视图 { $from } 重命名为 { $to }。
saved-view-filter-replaced = 已替换视图 { $name } 的筛选。
saved-view-deleted = 已删除视图 { $name }。
