/* The editors' workbench: Decap CMS in the project's words, with its own
   widgets (the 编号 of a new record, references to records of several kinds
   or to free text) and its own preview pane (the record's problems from the
   project's check, and its real page in the live preview).
   Served by scripts/editor/workbench.py; Decap's h and createClass are React's
   createElement and create-react-class, as Decap documents for extensions. */
(function () {
  'use strict';
  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  var INFO = {};      // the server's /api/info

  /* --- Words: Decap's “发布” is not our 已发布 (status: published) --------- */

  var WORDS = {
    auth: { login: '进入编辑工作台', loggingIn: '正在进入……' },
    app: {
      header: { content: '记录', media: '照片和文件', quickAdd: '新建' },
      app: { errorHeader: '工作台的表单配置有误', checkConfigYml: '请把这条消息发给技术人员' },
    },
    collection: {
      sidebar: { collections: '记录类型', allCollections: '全部记录', searchAll: '查找记录……', searchIn: '查找' },
      collectionTop: { newButton: '新建%{collectionLabel}', newButtonAriaLabel: '新建%{collectionLabel}',
        viewAsList: '列表显示', viewAsGrid: '卡片显示' },
      entries: { noEntries: '还没有记录', unpublishedHeader: '未发布的记录' },
    },
    editor: {
      editorControl: { field: { optional: '选填', widgetLabel: '%{widgetLabel} 输入项' } },
      editorControlPane: {
        widget: {
          required: '请填写“%{fieldLabel}”',
          regexPattern: '“%{fieldLabel}”：%{pattern}',
          range: '“%{fieldLabel}”应在 %{minValue} 到 %{maxValue} 之间',
          min: '“%{fieldLabel}”不能小于 %{minValue}',
          max: '“%{fieldLabel}”不能大于 %{maxValue}',
          rangeMin: '“%{fieldLabel}”至少要有 %{minCount} 项', rangeMax: '“%{fieldLabel}”最多 %{maxCount} 项',
        },
      },
      editor: {
        onPublishing: '确定要保存这条记录吗？',
        onDeleteWithUnsavedChanges: '确定要删除这条记录吗？尚未保存的修改也会丢失。',
        onDeletePublishedEntry: '确定要删除这条记录吗？它在网站上的页面也会随之消失（提交前可以用 git 恢复）。',
        confirmLoadBackup: '这条记录有一份尚未保存的草稿，要载入它吗？',
      },
      editorInterface: { togglePreview: '显示或隐藏检查和预览', toggleNotes: '显示或隐藏备注' },
      editorWidgets: {
        markdown: { strikethrough: '删除线', toggleMode: { rich: '切换到富文本', markdown: '切换到 Markdown 文本' } },
        image: { chooseMultiple: '选择图片', addMore: '再加图片', removeAll: '移除全部图片' },
        file: { chooseMultiple: '选择文件', addMore: '再加文件', removeAll: '移除全部文件' },
        list: { addType: '新增%{item}' },
        datetime: { setToNow: '把%{fieldLabel}设为现在' },
        object: { expand: '展开', collapse: '收起' },
      },
      editorToolbar: {
        publish: '保存', publishing: '正在保存……', published: '已保存', publishNow: '保存',
        publishAndCreateNew: '保存，然后新建一条', publishAndDuplicate: '保存，然后复制一条',
        deleteEntry: '删除这条记录', deletePublishedEntry: '删除这条记录', deleting: '正在删除……',
        backCollection: '正在编辑：%{collectionLabel}', unsavedChanges: '有尚未保存的修改', changesSaved: '已保存',
      },
    },
    mediaLibrary: {
      mediaLibraryCard: { draft: '未保存' },
      mediaLibraryModal: { close: '关闭', upload: '上传', uploading: '正在上传……', chooseSelected: '选用选中的文件',
        deleteSelected: '删除选中的文件', noImagesFound: '还没有照片', noAssetsFound: '还没有文件' },
    },
    ui: {
      settingsDropdown: { account: '账户' },
      errorBoundary: { details: '工作台出错了，请', reportIt: '把这条消息发给技术人员' },
      toast: {
        entrySaved: '已保存到文件', entryPublished: '已保存到文件', onFailToPublishEntry: '保存失败：%{details}',
        onFailToPersist: '保存失败：%{details}', missingRequiredField: '有必填项没有填写，请填好后再保存',
      },
    },
  };

  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      var value = from[key];
      if (value && typeof value === 'object') {
        into[key] = merge(Object.assign({}, into[key] || {}), value);
      } else {
        into[key] = value;
      }
    });
    return into;
  }

  function registerWords(info) {
    WORDS.mediaLibrary.mediaLibrary = {
      fileTooLarge: '文件过大（超过 ' + info.max_file_mb + ' MB），没有上传。更大的视频请直接复制到仓库的 media/videos 文件夹，再在这里选用。',
      onDelete: '确定要删除这个文件吗？有记录使用它时，工作台不会删除。',
    };
    CMS.registerLocale('zh_Hans', merge(merge({}, CMS.getLocale('zh_Hans') || {}), WORDS));
  }

  /* Decap's few words that are not in its locales. */
  var ENGLISH = [
    [/^Failed to delete media: /, '删除失败：'],
    [/^Failed to persist media: (Error: )?/, '上传失败：'],
    [/^Failed to load media: /, '无法读取照片库：'],
  ];
  // A brand-new form nobody has typed in is not saved: Decap's toolbar says
  // “changes saved” for any form without changes.
  function isNewForm() { return /\/new(\?|$)/.test(location.hash); }

  function translateText(node) {
    ENGLISH.forEach(function (rule) {
      if (rule[0].test(node.data)) node.data = node.data.replace(rule[0], rule[1]);
    });
    if (node.data === WORDS.editor.editorToolbar.changesSaved && isNewForm()) node.data = '尚未保存';
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === 'characterData') return translateText(change.target);
      change.addedNodes.forEach(function translate(node) {
        if (node.nodeType === 3) {
          translateText(node);
        } else if (node.childNodes) {
          node.childNodes.forEach(translate);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  // Decap asks in English, from its code and not its locales, before it
  // replaces a file of the same name in the photo library (the same photo
  // uploaded again: the workbench names uploads by their bytes).
  var REPLACE = /^(.*) already exists\. Do you want to replace it\?$/;
  var askBrowser = window.confirm.bind(window);
  window.confirm = function (message) {
    var m = REPLACE.exec(String(message));
    return askBrowser(m ? '照片库里已有“' + m[1] + '”（同一张照片），要用新上传的替换它吗？' : message);
  };

  /* --- Uploads: a name no other file can take ------------------------------- */
  // Decap names an upload after the file, and asks (in English) whether to
  // replace a file of the same name: a different photo would replace the one
  // another record shows. Each upload's name gets the first characters of its
  // bytes' SHA-256, as the workbench's backend names uploads (files.py):
  // another photo, another name; the same photo, the same name.
  var renamedEvents = new WeakSet();

  function hashedName(name, hex) {
    var dot = name.lastIndexOf('.'), stem = dot > 0 ? name.slice(0, dot) : name;
    var suffix = dot > 0 ? name.slice(dot) : '', tail = '-' + hex.slice(0, 8);
    return stem.slice(-tail.length) === tail ? name : stem + tail + suffix;
  }

  function withHashedName(file) {
    return file.arrayBuffer().then(function (bytes) {
      return crypto.subtle.digest('SHA-256', bytes);
    }).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return (b < 16 ? '0' : '') + b.toString(16);
      }).join('');
      return new File([file], hashedName(file.name, hex), { type: file.type, lastModified: file.lastModified });
    });
  }

  // Before Decap's own handler (capture, on the document): the chosen files,
  // renamed, then the change again for Decap.
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (renamedEvents.has(event) || !input || input.type !== 'file' || !input.files || !input.files.length) return;
    event.stopImmediatePropagation();
    Promise.all(Array.prototype.map.call(input.files, withHashedName)).then(function (files) {
      var chosen = new DataTransfer();
      files.forEach(function (file) { chosen.items.add(file); });
      input.files = chosen.files;
      var again = new Event('change', { bubbles: true });
      renamedEvents.add(again);
      input.dispatchEvent(again);
    });
  }, true);

  // Decap's English question before replacing a file of the same name: with
  // names from the bytes, the same name is the same file, already there.
  var nativeConfirm = window.confirm.bind(window);
  window.confirm = function (text) {
    var same = /^(.*) already exists\. Do you want to replace it\?$/.exec(String(text));
    if (same) {
      window.alert('这个文件已经在库中（' + same[1] + '，内容相同），不必再上传：请在列表中选中它，再点“选用选中的文件”。');
      return false;
    }
    return nativeConfirm(text);
  };

  /* --- Behind the newsroom's login (scripts/newsroom/editing.py) ----------- */
  // The same page, served by the newsroom under its own address: every call
  // above is relative to the page. Decap's own requests to the backend carry
  // no CSRF token: the newsroom's /api/info gives it (to this page only: the
  // answer is JSON of the same origin), and it goes into the header of every
  // request to the page's api/, which also shows the server's notes (a record
  // put back to draft) and conflicts (what changed meanwhile) in full.
  var apiBase = new URL('api/', location.href).pathname;

  function notice(text, detail, kind) {
    var box = document.getElementById('zlt-notice');
    if (!box) {
      box = document.createElement('div');
      box.id = 'zlt-notice';
      box.setAttribute('role', 'alert');
      document.body.appendChild(box);
    }
    box.className = 'zlt-notice' + (kind ? ' zlt-notice-' + kind : '');
    box.textContent = '';
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'zlt-button';
    close.textContent = '知道了';
    close.addEventListener('click', function () { box.remove(); });
    var p = document.createElement('p');
    p.textContent = text;
    box.appendChild(p);
    if (detail) {
      var pre = document.createElement('pre');
      pre.textContent = detail;
      box.appendChild(pre);
    }
    box.appendChild(close);
  }

  function dismissSaved() {
    document.querySelectorAll('.Toastify__toast--success .Toastify__close-button').forEach(function (button) {
      button.click();
    });
  }

  function guardRequests(token) {
    var nativeFetch = window.fetch.bind(window);
    window.fetch = function (input, init) {
      var url = new URL(typeof input === 'string' ? input : input.url, location.href);
      if (url.origin !== location.origin || url.pathname.indexOf(apiBase) !== 0) return nativeFetch(input, init);
      init = Object.assign({}, init || {});
      var headers = new Headers(init.headers || (typeof input === 'string' ? undefined : input.headers));
      headers.set('X-CSRFToken', token);
      init.headers = headers;
      return nativeFetch(input, init).then(function (response) {
        // A refused save: Decap's green “已保存到文件” of the save before it
        // may still be showing beside the refusal; it no longer holds.
        if (!response.ok && (init.method || 'GET').toUpperCase() === 'POST') dismissSaved();
        if ((response.headers.get('Content-Type') || '').indexOf('application/json') === 0) {
          response.clone().json().then(function (data) {
            if (data && data.diff) notice(data.error, data.diff, 'conflict');
            else if (data && data.note) notice(data.note, '', 'note');
          }, function () {});
        }
        return response;
      });
    };
  }

  function api(path) {
    return fetch(path, { headers: { Accept: 'application/json' } }).then(function (r) { return r.json(); });
  }

  function plain(value) {
    if (value === undefined || value === null) return value;
    return typeof value.toJS === 'function' ? value.toJS() : value;
  }

  /* --- 编号: the id of a new record, from its name as `make new` makes it -- */

  var IdControl = createClass({
    getInitialState: function () { return { auto: null, taken: null }; },
    componentDidMount: function () {
      var self = this;
      if (!this.isNew()) return;
      api('api/records').then(function (records) {
        self.setState({ taken: new Set(records.map(function (r) { return r.id; })) });
      });
      // Decap re-renders a widget only when its own value changes: this one
      // follows the name as it is typed by looking at the entry.
      this.poll = setInterval(this.maybeGenerate, 400);
    },
    componentWillUnmount: function () { clearTimeout(this.timer); clearInterval(this.poll); },
    entry: function () { return this.props.getEntry ? this.props.getEntry() : this.props.entry; },
    isNew: function () { var e = this.entry(); return !!(e && e.get('newRecord')); },
    name: function () {
      var e = this.entry(), data = e && e.get('data');
      return (data && data.get(this.props.field.get('from'))) || '';
    },
    maybeGenerate: function () {
      var name = String(this.name()).trim(), value = this.props.value || '';
      if (!this.isNew() || !name || name === this.lastName) return;
      if (value && value !== this.state.auto) return;    // the editor wrote one: keep it
      this.lastName = name;
      clearTimeout(this.timer);
      this.timer = setTimeout(this.generate, 300);
    },
    generate: function () {
      var self = this, name = String(this.name()).trim();
      if (!name) return;
      api('api/new-id?kind=' + encodeURIComponent(this.props.field.get('kind')) +
          '&name=' + encodeURIComponent(name)).then(function (answer) {
        if (answer.id) {
          self.setState({ auto: answer.id });
          self.props.onChange(answer.id);
        }
      });
    },
    isValid: function () {
      var value = this.props.value;
      if (this.isNew() && this.state.taken && this.state.taken.has(value)) {
        return { error: { message: '编号“' + value + '”已被另一条记录使用，请换一个（编号全站唯一）' } };
      }
      return true;
    },
    render: function () {
      var p = this.props, self = this;
      if (!this.isNew()) {
        return h('input', { id: p.forID, className: p.classNameWrapper, value: p.value || '', readOnly: true });
      }
      return h('div', { className: 'zlt-row' },
        h('input', {
          id: p.forID, className: p.classNameWrapper, type: 'text', value: p.value || '',
          autoComplete: 'off', spellCheck: false, onFocus: p.setActiveStyle, onBlur: p.setInactiveStyle,
          onChange: function (e) { p.onChange(e.target.value.trim()); },
        }),
        h('button', { type: 'button', className: 'zlt-button', onClick: function () { self.generate(); } },
          '按名称生成'));
    },
  });

  /* --- References to records of several kinds, or an id or free text ------- */

  var RefControl = createClass({
    getInitialState: function () { return { records: [], query: '' }; },
    componentDidMount: function () {
      var self = this, kinds = plain(this.props.field.get('kinds')) || [];
      api('api/records?kinds=' + encodeURIComponent(kinds.join(','))).then(function (records) {
        self.setState({ records: records });
      });
    },
    multiple: function () { return !!this.props.field.get('multiple'); },
    values: function () {
      var v = plain(this.props.value);
      if (v === undefined || v === null || v === '') return [];
      return Array.isArray(v) ? v : [v];
    },
    byId: function (id) { return this.state.records.filter(function (r) { return r.id === id; })[0]; },
    byTitle: function (text) {
      var found = this.state.records.filter(function (r) { return r.title === String(text).trim(); });
      return found.length === 1 ? found[0] : null;
    },
    matches: function (query) {
      var q = String(query || '').trim().toLowerCase(), taken = this.values();
      if (!q) return [];
      return this.state.records.filter(function (r) {
        return taken.indexOf(r.id) < 0 &&
          (r.title.toLowerCase().indexOf(q) >= 0 || r.id.indexOf(q) >= 0);
      }).slice(0, 20);
    },
    choose: function (id) {
      if (this.multiple()) {
        this.props.onChange(this.values().concat([id]));
        this.setState({ query: '' });
      } else {
        this.props.onChange(id);
      }
    },
    remove: function (id) {
      this.props.onChange(this.values().filter(function (v) { return v !== id; }));
    },
    options: function (query) {
      var self = this, found = this.matches(query);
      if (!found.length) return null;
      return h('ul', { className: 'zlt-options', role: 'listbox' }, found.map(function (r) {
        return h('li', { key: r.id }, h('button', {
          type: 'button', role: 'option', onClick: function () { self.choose(r.id); },
        }, r.title + '（' + r.label + '，编号 ' + r.id + '）'));
      }));
    },
    render: function () {
      var p = this.props, self = this;
      if (this.multiple()) {
        return h('div', null,
          h('div', null, this.values().map(function (id) {
            var r = self.byId(id);
            return h('span', { className: 'zlt-chip', key: id }, r ? r.title : id,
              h('button', { type: 'button', 'aria-label': '去掉' + (r ? r.title : id),
                onClick: function () { self.remove(id); } }, '×'));
          })),
          h('input', {
            id: p.forID, className: p.classNameWrapper, type: 'search', value: this.state.query,
            placeholder: '输入名称查找，点选结果', autoComplete: 'off',
            onFocus: p.setActiveStyle, onBlur: p.setInactiveStyle,
            onChange: function (e) { self.setState({ query: e.target.value }); },
          }),
          this.options(this.state.query));
      }
      var value = this.values()[0] || '', linked = this.byId(value), named = !linked && this.byTitle(value);
      return h('div', null,
        h('input', {
          id: p.forID, className: p.classNameWrapper, type: 'text', value: value, autoComplete: 'off',
          placeholder: '输入名称：有记录的点选它（网站上会链接过去），没有的直接写名称',
          onFocus: p.setActiveStyle, onBlur: p.setInactiveStyle,
          onChange: function (e) { p.onChange(e.target.value); },
        }),
        linked ? h('div', { className: 'zlt-note' }, '链接到：' + linked.title + '（' + linked.label + '）') : null,
        named ? h('div', { className: 'zlt-note zlt-warn' }, '“' + value + '”有自己的记录：',
          h('button', { type: 'button', className: 'zlt-button', onClick: function () { self.choose(named.id); } },
            '改为链接到它（编号 ' + named.id + '）')) : null,
        linked || named ? null : this.options(value));
    },
  });

  CMS.registerWidget('zlt-id', IdControl);
  CMS.registerWidget('zlt-ref', RefControl);

  /* --- Photos: the thumbnail of a photo the record already has -------------- */
  // Decap 3.16's image control (decap-cms-widget-file, withFileControl's
  // Image) asks for its thumbnail once, when it mounts: a React effect on
  // [value, field, getAsset]. A path such as media/photos/x.jpg (how the
  // records name photos) is no URL, so Decap's getAsset starts loading the
  // photo through the backend (getMedia) and meanwhile answers with its blank
  // placeholder, empty.svg; when the photo has loaded, none of the three has
  // changed (getAsset is memoized per collection), and nothing asks again:
  // the form shows a blank box (Decap's issue #7099, back since its sortable
  // images). This wrapper of Decap's own control asks again until the photo
  // has loaded, then hands the control a new getAsset, which it takes as the
  // reason to ask for its thumbnail again. Decap's control does everything
  // else; its shouldComponentUpdate still decides (Decap's Widget asks the
  // control's, which here is this wrapper's).
  var DecapImage = CMS.getWidget('image');
  var PLACEHOLDER = 'empty.svg';      // the path of Decap's blank asset (decap-cms-core actions/media)
  var LOADING_POLL_MS = 200, LOADING_LIMIT_MS = 60000;

  var ImageControl = createClass({
    getInitialState: function () { return { loaded: 0 }; },
    componentDidMount: function () { this.follow(); },
    componentDidUpdate: function (before) { if (before.value !== this.props.value) this.follow(); },
    componentWillUnmount: function () { clearInterval(this.poll); },
    paths: function () {
      var v = plain(this.props.value);
      if (!v) return [];
      return (Array.isArray(v) ? v : [v]).filter(function (path) { return typeof path === 'string' && path; });
    },
    loading: function () {
      var p = this.props;
      return this.paths().some(function (path) {
        var asset = p.getAsset(path, p.field);
        return !!asset && asset.path === PLACEHOLDER;
      });
    },
    follow: function () {
      var self = this, started = Date.now();
      clearInterval(this.poll);
      if (!this.loading()) return;
      this.poll = setInterval(function () {
        if (self.loading() && Date.now() - started < LOADING_LIMIT_MS) return;
        clearInterval(self.poll);
        self.setState({ loaded: self.state.loaded + 1 });
      }, LOADING_POLL_MS);
    },
    // One function per (Decap's getAsset, loads seen): the same between
    // renders, so that the control's shouldComponentUpdate sees no change.
    boundGetAsset: function (getAsset, loaded) {
      var b = this.bound;
      if (!b || b.getAsset !== getAsset || b.loaded !== loaded) {
        b = this.bound = { getAsset: getAsset, loaded: loaded,
          call: function (path, field) { return getAsset(path, field); } };
      }
      return b.call;
    },
    setControl: function (control) { this.control = control; },
    innerProps: function (props, loaded) {
      return Object.assign({}, props, { getAsset: this.boundGetAsset(props.getAsset, loaded), ref: this.setControl });
    },
    shouldComponentUpdate: function (nextProps, nextState) {
      var loaded = nextState ? nextState.loaded : this.state.loaded, c = this.control;
      if (loaded !== this.state.loaded) return true;
      return !c || !c.shouldComponentUpdate || c.shouldComponentUpdate(this.innerProps(nextProps, loaded));
    },
    getValidateValue: function () {
      return this.control && this.control.getValidateValue ? this.control.getValidateValue() : this.props.value;
    },
    render: function () {
      return h(DecapImage.control, this.innerProps(this.props, this.state.loaded));
    },
  });

  // Under Decap's own name: the forms keep `widget: image` (and what Decap
  // does with image fields: the photo library, the entry cards).
  CMS.registerWidget('image', ImageControl, DecapImage.preview, DecapImage.schema);

  /* --- The preview pane: the project's check and the real page ------------- */

  var paneStyle = { font: '16px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif',
    color: '#1b1b1b', padding: '16px' };
  var LEVEL = { error: { color: '#b71c1c', word: '错误' }, warning: { color: '#8a5a00', word: '提醒' } };

  var Preview = createClass({
    getInitialState: function () { return { info: null, stamp: Date.now(), failed: false }; },
    componentDidMount: function () {
      var self = this;
      this.onSaved = function () { self.load(true); };
      window.addEventListener('zlt-saved', this.onSaved);
      this.load(true);
    },
    componentWillUnmount: function () {
      this.dead = true;
      clearTimeout(this.timer);
      window.removeEventListener('zlt-saved', this.onSaved);
    },
    path: function () {
      var entry = this.props.entry;
      return entry && !entry.get('newRecord') ? entry.get('path') : null;
    },
    load: function (fresh) {
      var self = this, path = this.path();
      clearTimeout(this.timer);
      if (!path) return;
      api('api/record?path=' + encodeURIComponent(path)).then(function (info) {
        if (self.dead) return;
        if (!info.ready) {
          // The live preview has not caught up with the save yet.
          self.setState({ info: Object.assign({}, self.state.info || {}, { ready: false }) });
          self.timer = setTimeout(function () { self.load(true); }, 400);
          return;
        }
        self.setState({ info: info, failed: false, stamp: fresh ? Date.now() : self.state.stamp });
      }, function () {
        if (!self.dead) self.setState({ failed: true });
      });
    },
    problems: function (info) {
      if (!info.problems.length) {
        return h('p', { style: { color: '#1b5e20', margin: 0 } }, '✓ 检查通过：这条记录没有发现问题。');
      }
      return h('ul', { style: { margin: 0, paddingLeft: '1.2em' } }, info.problems.map(function (p, i) {
        var level = LEVEL[p.level] || LEVEL.error;
        return h('li', { key: i, style: { color: level.color } },
          '第 ' + p.line + ' 行' + (p.field ? ' · ' + p.field : '') + '（' + level.word + '）：' + p.message);
      }));
    },
    page: function (info) {
      // In the newsroom: its item page, where the record is submitted and its
      // reviews read (make edit has none).
      var item = info.item ? h('p', { style: { margin: '1em 0 0' } }, h('a', {
        href: info.item, target: '_blank', rel: 'noopener', id: 'zlt-item-link',
      }, '在审稿系统中打开这篇稿件（送审、查看审核意见）')) : null;
      if (!INFO.preview || !info.url) return item;
      var url = info.url.replace(/(#.*)?$/, function (hash) { return '?v=' + this.state.stamp + hash; }.bind(this));
      return h('div', null, item,
        h('h2', { style: { fontSize: '18px', margin: '1em 0 .4em' } }, '网站预览'),
        h('p', { style: { margin: '0 0 .5em', fontSize: '14px', color: '#555' } },
          '这是它在网站上的页面。草稿和待审的记录只在预览中显示，页面上标有“尚未发布”。'),
        h('iframe', { key: this.state.stamp, src: url, title: '网站预览', id: 'zlt-preview-frame',
          style: { width: '100%', height: '1400px', border: '1px solid #ccc', borderRadius: '4px' } }));
    },
    render: function () {
      var info = this.state.info, path = this.path(), body;
      if (!path) {
        body = h('p', null, '保存后，这里显示这条记录的检查结果，以及它在网站上的样子。');
      } else if (this.state.failed) {
        body = h('p', { style: { color: '#b71c1c' } }, (INFO.csrf ? '无法取得检查结果：请刷新页面，或重新登录审稿系统。' : '无法取得检查结果：工作台是否已关闭？'));
      } else if (!info || !info.ready || !info.problems) {
        body = h('p', null, '正在检查并更新预览……');
      } else {
        body = h('div', null,
          this.problems(info),
          info.elsewhere ? h('p', { style: { color: '#8a5a00' } },
            '其他文件还有 ' + info.elsewhere + ' 个错误（运行 make check 可以看到全部）。') : null,
          this.page(info));
      }
      return h('div', { style: paneStyle, id: 'zlt-preview-pane' },
        h('h2', { style: { fontSize: '18px', margin: '0 0 .4em' } }, '检查结果'),
        h('div', { id: 'zlt-problems', role: 'status', 'aria-live': 'polite' }, body));
    },
  });

  CMS.registerEventListener({
    name: 'postSave',
    handler: function (data) {
      var entry = data && data.entry;
      window.dispatchEvent(new CustomEvent('zlt-saved', { detail: { path: entry && entry.get('path') } }));
    },
  });

  api('api/info').then(function (info) {
    INFO = info;
    if (info.csrf) guardRequests(info.csrf);
    registerWords(info);
    (info.kinds || []).forEach(function (name) { CMS.registerPreviewTemplate(name, Preview); });
    CMS.init();
  });
})();
