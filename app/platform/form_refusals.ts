/*
| What a refused form's page says in its alert. A refusal of a field is said at that field (the
| field component, or a page's own markup marked data-error-for="<field>"); said in the alert too,
| the same words showed twice (a category's duplicate name, above the form and under its field).
| The alert then only asks to look at the fields. A refusal of no field (a domain refusal, a
| wrong password), or of a field the page does not show (a void refused for a register held
| elsewhere), is said in the alert, since it would be said nowhere else, unless the page says it
| beside the action refused (data-error-for="form": a reprint with no printer).
*/

/** The summary the session flashes with every validation error: it points below, we say where */
export const SESSION_SUMMARY = 'The form could not be saved. Please check the errors below.'

/**
 * The alert's messages. errorsBag: flashed messages by code (E_FORM, E_VALIDATION_ERROR);
 * inputErrors: flashed messages by field; shownAt: whether the page shows a field's error there.
 */
export function refusalAlerts(errorsBag: Record<string, unknown>, inputErrors: Record<string, unknown>, shownAt: (field: string) => boolean): string[] {
  const shown = new Set<string>()
  const unshown: string[] = []
  let fields = 0
  for (const [field, messages] of Object.entries(inputErrors ?? {})) {
    const atField = shownAt(field)
    // A page may say a refusal of no field ("form") beside the button that was refused
    if (atField && field !== 'form') fields++
    for (const message of [messages].flat().map(String)) {
      if (atField) shown.add(message)
      else unshown.push(message)
    }
  }
  const said = Object.values(errorsBag ?? {})
    .flat()
    .map(String)
    .filter((message) => message !== SESSION_SUMMARY && !shown.has(message))
  const alerts = [...new Set([...said, ...unshown])]
  if (fields && !said.length) alerts.unshift(fields === 1 ? 'Check the highlighted field' : 'Check the highlighted fields')
  return alerts
}
