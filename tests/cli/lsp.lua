-- Drives `saasctl lsp` from Neovim's own LSP client (tests/cli/lsp.rs). The test appends a
-- scenario that calls these helpers, and reads what was received from the JSON file given as
-- `Out` when the scenario calls `finish`.

local started = vim.loop.hrtime()
local function now_ms()
  return (vim.loop.hrtime() - started) / 1e6
end

-- Every publishDiagnostics notification, as received: {uri, diagnostics, ms}.
local published = {}
local result = { published = published, errors = {} }

-- Starts the server on `root`; `options` are its initializationOptions.
function start(root, options)
  local config = {
    name = 'saasctl',
    cmd = { Saasctl, 'lsp' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'test' } },
    init_options = options or vim.empty_dict(),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
        table.insert(published, { uri = params.uri, diagnostics = params.diagnostics, ms = now_ms() })
        return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
      end,
    },
  }
  local id = vim.lsp.start_client(config)
  assert(id, 'saasctl lsp did not start')
  Client = vim.lsp.get_client_by_id(id)
  return id
end

-- Opens `path` in a buffer attached to the server; the time it was opened is `opened_ms`.
function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buffer = vim.api.nvim_get_current_buf()
  result.opened_ms = now_ms()
  vim.lsp.buf_attach_client(buffer, Client.id)
  return buffer
end

-- The last diagnostics published for `path`, once `wanted` holds of them (or after 5 s).
function wait_for(path, wanted)
  local uri = vim.uri_from_fname(path)
  local last
  vim.wait(5000, function()
    for i = #published, 1, -1 do
      if published[i].uri == uri then
        last = published[i]
        return wanted(last.diagnostics)
      end
    end
    return false
  end, 10)
  return last
end

function has_rule(rule)
  return function(diagnostics)
    for _, d in ipairs(diagnostics) do
      if d.code == rule then
        return true
      end
    end
    return false
  end
end

function lacks_rule(rule)
  local has = has_rule(rule)
  return function(diagnostics)
    return not has(diagnostics)
  end
end

-- Sends `method` for `buffer` at (line, character), 0-based, and returns the answer.
function request(buffer, method, params)
  local answers = vim.lsp.buf_request_sync(buffer, method, params, 5000)
  for _, answer in pairs(answers or {}) do
    if answer.err then
      table.insert(result.errors, answer.err)
    end
    return answer.result
  end
end

function position_params(buffer, line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(buffer) }, position = { line = line, character = character } }
end

-- Applies the code action on `line` whose title starts with `prefix`; returns every title
-- offered there, and whether one was applied.
function apply_action(buffer, line, prefix)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buffer) },
    range = { start = { line = line, character = 0 }, ['end'] = { line = line, character = 0 } },
    context = { diagnostics = {} },
  }
  local titles = {}
  for _, action in ipairs(request(buffer, 'textDocument/codeAction', params) or {}) do
    table.insert(titles, action.title)
    if action.title:sub(1, #prefix) == prefix then
      vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
      return titles, true
    end
  end
  return titles, false
end

function lines(buffer)
  return vim.api.nvim_buf_get_lines(buffer, 0, -1, false)
end

-- Writes `result` as JSON to `Out` and quits.
function finish()
  local file = assert(io.open(Out, 'w'))
  file:write(vim.json.encode(result))
  file:close()
  vim.lsp.stop_client(Client.id)
  vim.wait(1000, function()
    return Client.is_stopped()
  end, 10)
  vim.cmd('qa!')
end
