# Lab 3 - UDPServer.py
# Tested on my laptop with the client in a second terminal: works.
import os
from socket import *

serverIP = '127.0.0.1'  # the handout's address is not my PC, localhost works
serverPort = int(os.getenv('SERVER_PORT', '12000'))

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind((serverIP, serverPort))
print('The server is ready to receive on', serverIP, serverPort, flush=True)

while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    modifiedMessage = message.upper()
    serverSocket.sendto(modifiedMessage, clientAddress)
