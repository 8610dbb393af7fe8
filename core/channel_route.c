/*
 * channel_route.c - which channel a message goes by, which channel
 * component delivers it, and the customer's address on it.
 *
 * With routes (communication.channels) a channel is one of them; without,
 * every loaded channel component is a channel of its own name, addressed
 * by phone when the name contains "sms", else by e-mail. "preferred" (or
 * NULL) is the customer's preferred channel (crm_prefs_get), else their
 * "channel" attribute, else communication.default_channel, else the first
 * route (or the first loaded channel component). A name the customer
 * chose that is not a channel is an error, never silently another
 * channel.
 */
#include <stdio.h>
#include <string.h>

#include "comm_int.h"

/* The route called name into *out (a configured one, or one made for a
 * loaded component of that name in *tmp). */
static int cr_lookup(crm *c, const char *name, crm__route *tmp,
                     const crm__route **out)
{
  const crm__comm_cfg *cc = crm__comm(c);
  size_t i;

  for(i = 0; i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].name, name)) {
      *out = &cc->routes[i];
      return CRM_OK;
    }
  }
  if(!cc->n_routes && strlen(name) <= CRM__COMM_NAME_MAX &&
     crm__component_find(c, CRM_KIND_CHANNEL, name)) {
    memset(tmp, 0, sizeof(*tmp));
    snprintf(tmp->name, sizeof(tmp->name), "%s", name);
    snprintf(tmp->component, sizeof(tmp->component), "%s", name);
    snprintf(tmp->address, sizeof(tmp->address), "%s",
             strstr(name, "sms") ? "phone" : "email");
    *out = tmp;
    return CRM_OK;
  }
  return crm__err(c, CRM_ENOTFOUND, "no channel \"%.40s\": not routed in "
                  "communication.channels and no channel component of that "
                  "name is loaded", name);
}

/* The first channel: the first route, else the first loaded channel
 * component. */
static int cr_first(crm *c, crm__route *tmp, const crm__route **out)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm__component *k;

  if(cc->n_routes) {
    *out = &cc->routes[0];
    return CRM_OK;
  }
  k = crm__component_find(c, CRM_KIND_CHANNEL, NULL);
  if(!k)
    return crm__err(c, CRM_ENOTFOUND, "no channel: communication.channels "
                    "routes none and no channel component is loaded");
  return cr_lookup(c, k->name, tmp, out);
}

/* The customer's own choice into buf ("" when none): the preferred
 * channel, else the "channel" attribute. */
static int cr_customer_choice(crm *c, int64_t customer_id, char *buf,
                              size_t size)
{
  crm_contact_prefs p;
  int rc;

  buf[0] = '\0';
  rc = crm_prefs_get(c, customer_id, &p);
  if(rc)
    return rc;
  if(p.preferred_channel && *p.preferred_channel) {
    snprintf(buf, size, "%s", p.preferred_channel);
    return CRM_OK;
  }
  rc = crm_customer_get_attr(c, customer_id, "channel", buf, size);
  if(rc == CRM_ENOTFOUND) {
    buf[0] = '\0';
    crm__clear_err(c);
    return CRM_OK;
  }
  return rc;
}

int crm__channel_resolve(crm *c, int64_t customer_id, const char *channel,
                         crm__route *tmp, const crm__route **out)
{
  const crm__comm_cfg *cc = crm__comm(c);
  char name[CRM_ATTR_VALUE_MAX + 1];
  int rc;

  *out = NULL;
  if(channel && *channel && strcmp(channel, "preferred"))
    return cr_lookup(c, channel, tmp, out);
  rc = cr_customer_choice(c, customer_id, name, sizeof(name));
  if(rc)
    return rc;
  if(name[0])
    return cr_lookup(c, name, tmp, out);
  if(cc->default_channel[0])
    return cr_lookup(c, cc->default_channel, tmp, out);
  return cr_first(c, tmp, out);
}

crm__component *crm__route_component(crm *c, const crm__route *r)
{
  crm__component *k = crm__component_find(c, CRM_KIND_CHANNEL, r->component);

  if(!k)
    crm__err(c, CRM_ENOTFOUND, "channel \"%s\" is routed to component "
             "\"%s\", which is not loaded", r->name, r->component);
  return k;
}

void crm__routes_warn(crm *c)
{
  const crm__comm_cfg *cc = crm__comm(c);
  size_t i;

  for(i = 0; i < cc->n_routes; i++) {
    const crm__route *r = &cc->routes[i];

    if(!crm__component_find(c, CRM_KIND_CHANNEL, r->component))
      crm__log(c, CRM_LOG_WARN, "communication", "channel \"%s\" is routed "
               "to component \"%s\", which is not loaded: its messages wait "
               "in the outbox until it is (crm plugins list says why)",
               r->name, r->component);
  }
}

int crm__route_address(crm *c, const crm__route *r, const crm_customer *cust,
                       char *buf, size_t size)
{
  int rc;

  buf[0] = '\0';
  if(!strcmp(r->address, "email")) {
    snprintf(buf, size, "%s", cust->email);
    return CRM_OK;
  }
  if(!strcmp(r->address, "phone")) {
    snprintf(buf, size, "%s", cust->phone);
    return CRM_OK;
  }
  if(strncmp(r->address, "attr:", 5))
    return crm__err(c, CRM_EINVAL, "channel \"%s\" has an unknown address "
                    "kind \"%s\"", r->name, r->address);
  rc = crm_customer_get_attr(c, cust->id, r->address + 5, buf, size);
  if(rc == CRM_ENOTFOUND) {
    buf[0] = '\0';
    crm__clear_err(c);
    return CRM_OK;
  }
  return rc;
}
