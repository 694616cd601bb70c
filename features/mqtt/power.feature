# A module reset through its EN pin (or losing power) in the middle of a session.
# Sources: ESP-AT reference §3 (`ready` once AT is up again after a reset; AT+SYSLOG
# back to 0) and §2.3 (state 0, uninitialised, after start; the AT+MQTTCONN? line
# when not configured); MQTT 3.1.1 §3.1.2.5: a connection that ends without
# DISCONNECT makes the broker publish the will. The reset comes through the virtual
# firmware's control channel, so a board run leaves this out.
@virtual_only @esp32 @esp8266 @power
Feature: A hard reset in the middle of a session

  Background:
    Given the device has been reset

  Scenario: the connection drops without DISCONNECT, the will is published, the configuration is gone
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"power-1","","",0,0,""
      AT+MQTTCONNCFG=0,60,0,"power/will","power lost",1,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When the virtual firmware is reset out of band
    Then the device reports ready
    And the connection of "power-1" closed without DISCONNECT
    And the broker delivered "power lost" on "power/will" to subscribers
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,0,0,"","","",0
      OK
      """

  Scenario: a reset while the device waits for PUBRAW data brings it back to commands
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"power-2","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When I send AT+MQTTPUBRAW=0,"power/raw",10,0,0
    Then the device answers OK
    And the device answers >
    When the virtual firmware is reset out of band
    Then the device reports ready
    When I send AT
    Then the device answers OK
